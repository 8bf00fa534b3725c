namespace Reactor;

/// <summary>
/// What a jobs file or module uses to define jobs. A job runs first, then its callbacks in the order
/// they were defined, all on one <see cref="JobArgs"/>; an exception anywhere runs the errbacks with
/// <c>args["error"]</c> set.
/// </summary>
public interface IJobRegistry
{
    /// <summary>Defines the job <paramref name="name"/>.</summary>
    void Job(string name, Action<JobArgs> job);

    /// <summary>Defines the asynchronous job <paramref name="name"/>; it interleaves with others at its awaits.</summary>
    void Job(string name, Func<JobArgs, Task> job);

    /// <summary>
    /// Defines an asynchronous job that takes the attempt's cancellation token: <c>Job("x", async (args, ct) =&gt; ...)</c>.
    /// The token fires on the job's <c>Timeout</c>, on <c>JR.Cancel</c> and at node shutdown (after its grace period).
    /// </summary>
    void Job(string name, Func<JobArgs, CancellationToken, Task> job);

    /// <summary>
    /// Defines the job <paramref name="name"/> as the class <typeparamref name="TJob"/> (an <see cref="IJob"/> or
    /// <see cref="IJob{TArgs}"/>), created per run from the run's dependency-injection scope.
    /// </summary>
    void Job<TJob>(string name)
        where TJob : class;

    /// <summary>Adds a callback that runs after the job (and earlier callbacks) succeeded.</summary>
    void JobCallback(string name, string callbackName, Action<JobArgs> callback);

    /// <summary>Adds an asynchronous callback.</summary>
    void JobCallback(string name, string callbackName, Func<JobArgs, Task> callback);

    /// <summary>Adds an asynchronous callback that takes the attempt's cancellation token.</summary>
    void JobCallback(string name, string callbackName, Func<JobArgs, CancellationToken, Task> callback);

    /// <summary>Adds a callback written as a class (<see cref="IJob"/> or <see cref="IJob{TArgs}"/>), created per run from the run's scope.</summary>
    void JobCallback<TCallback>(string name, string callbackName)
        where TCallback : class;

    /// <summary>Adds an errback that runs when the job or a callback threw.</summary>
    void JobErrback(string name, string errbackName, Action<JobArgs> errback);

    /// <summary>Adds an asynchronous errback.</summary>
    void JobErrback(string name, string errbackName, Func<JobArgs, Task> errback);

    /// <summary>Adds an asynchronous errback that takes the attempt's cancellation token (already cancelled after a timeout or a cancel).</summary>
    void JobErrback(string name, string errbackName, Func<JobArgs, CancellationToken, Task> errback);

    /// <summary>Adds an errback written as a class; <see cref="JobContext.Error"/> says why the job failed.</summary>
    void JobErrback<TErrback>(string name, string errbackName)
        where TErrback : class;
}

/// <summary>
/// A compiled jobs module: a public class with a parameterless constructor in a <c>*.dll</c> in the
/// jobs directory. The node creates one instance at start, calls <see cref="ConfigureServices"/> and
/// then <see cref="Register"/>.
/// </summary>
public interface IJobModule
{
    /// <summary>Defines this module's jobs.</summary>
    void Register(IJobRegistry jobs);

    /// <summary>
    /// Registers services the module's job classes take in their constructors (an <c>HttpClient</c> factory,
    /// options, a repository). They live in the node's own container for jobs-directory modules, which has
    /// logging and the clock; in a generic host, services the host registered are found there too.
    /// Default: registers nothing.
    /// </summary>
    void ConfigureServices(Microsoft.Extensions.DependencyInjection.IServiceCollection services)
    {
    }
}

/// <summary>
/// Thrown from a job, callback or errback to end the job for good: a periodic job stops repeating,
/// and no retry follows. From job code the app gets a success feedback; from an errback, an error feedback.
/// </summary>
public sealed class CancelJob : Exception
{
    /// <summary>Cancels the current job.</summary>
    public CancelJob()
        : base("job cancelled by its own code")
    {
    }

    /// <summary>Cancels the current job, saying why.</summary>
    public CancelJob(string message)
        : base(message)
    {
    }

    /// <summary>Cancels the current job, saying why.</summary>
    public CancelJob(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>A jobs directory could not be loaded; the message names the file, line and cause.</summary>
public sealed class JobDefinitionException : Exception
{
    /// <summary>Creates the exception.</summary>
    public JobDefinitionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public JobDefinitionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public JobDefinitionException()
    {
    }
}
