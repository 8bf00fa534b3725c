namespace Reactor.Distributor.Feedback;

internal sealed partial class FeedbackRegistry
{
    /// <summary>True while <paramref name="jobId"/> waits for its final result.</summary>
    public bool IsRegistered(string jobId) => _entries.ContainsKey(jobId);
}
