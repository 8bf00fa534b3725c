namespace Reactor;

/// <summary>
/// A job (or callback, or errback) written as a class. The node creates one instance per run from the
/// run's dependency-injection scope, so its constructor can take any registered service (a DbContext,
/// an <c>HttpClient</c>, options); scoped services are disposed after the job, its callbacks and errbacks.
/// Register it with <c>jobs.Job&lt;T&gt;("name")</c> in a module or script, or
/// <c>services.AddReactorNode(...).AddJob&lt;T&gt;("name")</c> in a host.
/// </summary>
public interface IJob
{
    /// <summary>Runs the job. <paramref name="cancellationToken"/> fires on its timeout, on <c>JR.Cancel</c> and at node shutdown.</summary>
    Task RunAsync(JobContext context, CancellationToken cancellationToken);
}

/// <summary>
/// A job class whose args arrive as a <typeparamref name="TArgs"/>, bound from the args map by property
/// name (see <see cref="JobArgs.As{T}"/>). Args that do not fit (a required property missing, a value of
/// the wrong type) fail the job at once, without retries, with an error naming the property.
/// </summary>
/// <typeparam name="TArgs">A record or class with the args as properties or constructor parameters.</typeparam>
public interface IJob<in TArgs>
{
    /// <summary>Runs the job with its typed args; <see cref="JobContext.Args"/> still holds the map (write results there).</summary>
    Task RunAsync(JobContext context, TArgs args, CancellationToken cancellationToken);
}
