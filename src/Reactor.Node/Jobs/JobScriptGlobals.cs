using Reactor.Node.Jobs;

namespace Reactor;

/// <summary>
/// What a <c>*.csx</c> file in the jobs directory sees at its top level: <c>Job</c>, <c>JobCallback</c>
/// and <c>JobErrback</c>, as in JobReactor's job files.
/// </summary>
/// <example>
/// <code>
/// Job("my_job", args => Console.WriteLine(args["arg1"]));
/// Job("slow", async args => { await Task.Delay(10); args["done"] = true; });
/// Job("cancellable", async (args, ct) => { await Task.Delay(5000, ct); args.ReportProgress(1.0, "done"); });
/// JobCallback("my_job", "log", args => args["logged"] = true);
/// JobErrback("my_job", "alert", args => Console.Error.WriteLine(args["error"]));
/// </code>
/// An <c>async</c> lambda binds to the <see cref="Func{T, TResult}"/> overloads, so the node awaits it
/// before the next step runs.
/// </example>
public sealed class JobScriptGlobals : IJobRegistry
{
    private readonly JobCatalog _catalog;

    internal JobScriptGlobals(JobCatalog catalog, string source)
    {
        _catalog = catalog;
        Source = source;
    }

    // Each script carries its own path rather than relying on the catalog's current source, which
    // would be wrong if the script kept a delegate that defines jobs later.
    internal string Source { get; }

    /// <inheritdoc />
    public void Job(string name, Action<JobArgs> job) => _catalog.Define(Source, name, JobStep.From(name, job));

    /// <inheritdoc />
    public void Job(string name, Func<JobArgs, Task> job) => _catalog.Define(Source, name, JobStep.From(name, job));

    /// <inheritdoc />
    public void Job(string name, Func<JobArgs, CancellationToken, Task> job) => _catalog.Define(Source, name, JobStep.From(name, job));

    /// <inheritdoc />
    public void Job<TJob>(string name)
        where TJob : class => _catalog.Define(Source, name, JobClassStep.Create(name, typeof(TJob), Source));

    /// <inheritdoc />
    public void JobCallback(string name, string callbackName, Action<JobArgs> callback) =>
        _catalog.AddCallback(Source, name, JobStep.From(callbackName, callback));

    /// <inheritdoc />
    public void JobCallback(string name, string callbackName, Func<JobArgs, Task> callback) =>
        _catalog.AddCallback(Source, name, JobStep.From(callbackName, callback));

    /// <inheritdoc />
    public void JobCallback(string name, string callbackName, Func<JobArgs, CancellationToken, Task> callback) =>
        _catalog.AddCallback(Source, name, JobStep.From(callbackName, callback));

    /// <inheritdoc />
    public void JobCallback<TCallback>(string name, string callbackName)
        where TCallback : class => _catalog.AddCallback(Source, name, JobClassStep.Create(callbackName, typeof(TCallback), Source));

    /// <inheritdoc />
    public void JobErrback(string name, string errbackName, Action<JobArgs> errback) =>
        _catalog.AddErrback(Source, name, JobStep.From(errbackName, errback));

    /// <inheritdoc />
    public void JobErrback(string name, string errbackName, Func<JobArgs, Task> errback) =>
        _catalog.AddErrback(Source, name, JobStep.From(errbackName, errback));

    /// <inheritdoc />
    public void JobErrback(string name, string errbackName, Func<JobArgs, CancellationToken, Task> errback) =>
        _catalog.AddErrback(Source, name, JobStep.From(errbackName, errback));

    /// <inheritdoc />
    public void JobErrback<TErrback>(string name, string errbackName)
        where TErrback : class => _catalog.AddErrback(Source, name, JobClassStep.Create(errbackName, typeof(TErrback), Source));
}
