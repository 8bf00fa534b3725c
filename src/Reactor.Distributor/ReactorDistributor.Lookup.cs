namespace Reactor;

// Per-job questions for tools such as the dashboard.
public sealed partial class ReactorDistributor
{
    /// <summary>
    /// True while job <paramref name="jobId"/> was accepted by this distributor and has no final result
    /// yet: waiting for a node, on a node, or a periodic job between runs. False for an unknown id and
    /// once the job settled (<see cref="GetResultAsync"/> then has its result, with a journal).
    /// </summary>
    public bool IsUnsettled(string jobId)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        return _feedback.IsRegistered(jobId);
    }
}
