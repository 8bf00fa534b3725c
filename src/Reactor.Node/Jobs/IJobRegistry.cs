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

    /// <summary>Adds a callback that runs after the job (and earlier callbacks) succeeded.</summary>
    void JobCallback(string name, string callbackName, Action<JobArgs> callback);

    /// <summary>Adds an asynchronous callback.</summary>
    void JobCallback(string name, string callbackName, Func<JobArgs, Task> callback);

    /// <summary>Adds an errback that runs when the job or a callback threw.</summary>
    void JobErrback(string name, string errbackName, Action<JobArgs> errback);

    /// <summary>Adds an asynchronous errback.</summary>
    void JobErrback(string name, string errbackName, Func<JobArgs, Task> errback);
}

/// <summary>
/// A compiled jobs module: a public class with a parameterless constructor in a <c>*.dll</c> in the
/// jobs directory. The node creates one instance and calls <see cref="Register"/> at start.
/// </summary>
public interface IJobModule
{
    /// <summary>Defines this module's jobs.</summary>
    void Register(IJobRegistry jobs);
}

/// <summary>
/// Thrown from a job, callback or errback to end the job for good: a periodic job stops repeating,
/// and no retry follows. The job ends <see cref="JobOutcome.Cancelled"/> (reason <c>CancelledByJob</c>, or
/// <c>CancelledByErrback</c> from an errback) with the error text <c>cancelled by the job: {Message}</c> (from an
/// errback: <c>cancelled from an errback after {the attempt's error}</c>): the app's <c>cancelled</c> lambda runs,
/// or its <c>error</c> lambda when it gave none, never its <c>success</c> lambda.
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
