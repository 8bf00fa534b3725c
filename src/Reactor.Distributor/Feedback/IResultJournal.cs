namespace Reactor.Distributor.Feedback;

/// <summary>Where final results are made durable before their feedback runs (the distributor's Redis journal).</summary>
internal interface IResultJournal
{
    /// <summary>
    /// Completes once the job has left the journal and its result is stored and marked undelivered (and,
    /// with <paramref name="batchId"/>, its outcome counted in that batch); cancelled if the distributor
    /// stops first (the job then stays journaled and runs again after a restart).
    /// </summary>
    Task SettleAsync(string name, JobResult result, DateTimeOffset now, string? batchId);

    /// <summary>The job's feedback ran; a restart need not deliver it again.</summary>
    void MarkDelivered(string jobId);
}
