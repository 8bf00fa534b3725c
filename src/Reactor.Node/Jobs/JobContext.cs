using Reactor.Protocol.Jobs;

namespace Reactor;

/// <summary>
/// What a job class sees of the run it serves: the job, its args map (shared with the callbacks and
/// errbacks, and sent back to the app), the cancellation token, progress reports and the run's services.
/// </summary>
public sealed class JobContext
{
    private readonly Func<IServiceProvider> _services;

    internal JobContext(string jobId, string name, int attempt, JobArgs args, CancellationToken cancellationToken, Func<IServiceProvider> services)
    {
        JobId = jobId;
        Name = name;
        Attempt = attempt;
        Args = args;
        CancellationToken = cancellationToken;
        _services = services;
    }

    /// <summary>The job's id.</summary>
    public string JobId { get; }

    /// <summary>The job's name as dispatched.</summary>
    public string Name { get; }

    /// <summary>The attempt number, from 1.</summary>
    public int Attempt { get; }

    /// <summary>The args map: what the job, its callbacks and errbacks write here is what the app gets back.</summary>
    public JobArgs Args { get; }

    /// <summary>Fires on the job's timeout, on <c>JR.Cancel</c> and at node shutdown (after its grace period).</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>Why the job failed, in an errback (<c>args["error"]</c>); null elsewhere.</summary>
    public string? Error => Args.TryGetValue("error", out var error) ? error as string : null;

    /// <summary>
    /// The run's dependency-injection scope (created on first use, disposed after the job, its callbacks
    /// and errbacks), for services a class did not take in its constructor.
    /// </summary>
    public IServiceProvider Services => _services();

    /// <summary>Reports progress; see <see cref="JobArgsAttempt.ReportProgress"/> for the rate and where it goes.</summary>
    public void ReportProgress(double fraction, string? message = null) => Args.ReportProgress(fraction, message);
}
