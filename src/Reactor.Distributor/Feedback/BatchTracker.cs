namespace Reactor.Distributor.Feedback;

/// <summary>
/// Counts a batch's settled jobs. Each job reports once (its feedback entry's <c>Settled</c> hook runs on
/// the first final result only, however many nodes ran it), so the last report is reached exactly once
/// and posts the batch feedback to the delivery loop, behind the last job's own feedback.
/// </summary>
internal sealed class BatchTracker(int total, Action<BatchResult> onComplete, FeedbackRegistry feedback)
{
    private readonly int _total = total;
    private int _remaining = total;
    private int _succeeded;
    private int _failed;
    private int _cancelled;

    public void Settled(JobResult result)
    {
        _ = result.Outcome switch
        {
            JobOutcome.Succeeded => Interlocked.Increment(ref _succeeded),
            JobOutcome.Cancelled => Interlocked.Increment(ref _cancelled),
            _ => Interlocked.Increment(ref _failed),
        };
        if (Interlocked.Decrement(ref _remaining) == 0)
        {
            Complete();
        }
    }

    /// <summary>Posts the batch feedback; called by the last job, or at once for an empty batch.</summary>
    public void Complete()
    {
        var result = new BatchResult(_total, Volatile.Read(ref _succeeded), Volatile.Read(ref _failed), Volatile.Read(ref _cancelled));
        feedback.Post(() => onComplete(result));
    }
}
