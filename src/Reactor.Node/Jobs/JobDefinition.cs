namespace Reactor.Node.Jobs;

/// <summary>One step of a job's pipeline (the job itself, a callback or an errback).</summary>
internal sealed record JobStep(string Name, Func<JobContext, ValueTask> Run)
{
    public static JobStep From(string name, Action<JobArgs> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        return new(name, context =>
        {
            action(context.Args);
            return ValueTask.CompletedTask;
        });
    }

    public static JobStep From(string name, Func<JobArgs, Task> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        return new(name, context => new ValueTask(action(context.Args)));
    }

    public static JobStep From(string name, Func<JobArgs, CancellationToken, Task> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        return new(name, context => new ValueTask(action(context.Args, context.CancellationToken)));
    }
}

/// <summary>A job as loaded from the jobs directory: its body, then callbacks and errbacks in definition order.</summary>
internal sealed class JobDefinition(string name)
{
    public string Name { get; } = name;

    /// <summary>Null until the job itself is defined (callbacks may be declared first).</summary>
    public JobStep? Body { get; set; }

    public List<JobStep> Callbacks { get; } = [];

    public List<JobStep> Errbacks { get; } = [];

    /// <summary>Where it was defined, for error messages.</summary>
    public string Source { get; set; } = "";
}
