namespace Reactor.Node.Jobs;

/// <summary>One step of a job's pipeline (the job itself, a callback or an errback).</summary>
internal sealed record JobStep(string Name, Func<JobArgs, ValueTask> Run)
{
    public static JobStep From(string name, Action<JobArgs> action) =>
        new(name, args =>
        {
            action(args);
            return ValueTask.CompletedTask;
        });

    public static JobStep From(string name, Func<JobArgs, Task> action) =>
        new(name, args => new ValueTask(action(args)));
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
