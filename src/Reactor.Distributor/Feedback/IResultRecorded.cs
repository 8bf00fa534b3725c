namespace Reactor.Distributor.Feedback;

/// <summary>
/// Told when a node's final result has been recorded (journaled, with a journal), so the node may forget it.
/// One instance per connection instead of a closure per result.
/// </summary>
internal interface IResultRecorded
{
    /// <summary>
    /// The final result of <paramref name="jobId"/>, the <paramref name="sequence"/>-th final result received on
    /// its connection, is recorded. Called once per final result, from any thread, in any order.
    /// </summary>
    void Recorded(string jobId, long sequence);
}
