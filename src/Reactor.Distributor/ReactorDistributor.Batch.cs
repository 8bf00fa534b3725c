using Reactor.Distributor;
using Reactor.Distributor.Batching;
using Reactor.Distributor.Feedback;

namespace Reactor;

// EnqueueMany: many jobs of one name in one call, streamed within a window, with one feedback for the whole batch.
public sealed partial class ReactorDistributor
{
    /// <summary>Items read, validated and queued together once a batch has filled its window.</summary>
    private const int BatchChunk = 1_000;

    /// <summary>
    /// Queues one job <paramref name="name"/> per item of <paramref name="args"/>, all with
    /// <paramref name="options"/>, and returns their ids in input order. The input is read once, as a stream,
    /// and never held whole: at most <see cref="DistributorOptions.BatchWindow"/> jobs of the call are queued
    /// and unsettled at once; past that the call <b>waits</b> for its jobs to settle before it reads more
    /// items, so a million items take the memory of the window, not of a million jobs.
    /// <para>
    /// All or nothing within the window: the first <see cref="DistributorOptions.BatchWindow"/> items are all
    /// read, validated and encoded before any is queued, so in a batch no larger than the window an item that
    /// cannot be sent throws <see cref="ArgumentException"/> naming its index and nothing is queued. Past
    /// the window, items are validated 1,000 at a time before each such chunk is queued; a bad item there
    /// throws <see cref="ArgumentException"/> naming its index and how many items before it were queued:
    /// those run (and the batch feedback counts them), nothing from that chunk on is queued. With a
    /// journal, each chunk goes to Redis in shared round trips before any of its jobs is dispatched; if
    /// Redis refuses one, none of that chunk is queued (<see cref="JournalWriteException"/>).
    /// </para>
    /// <paramref name="onBatchComplete"/> runs once, after every queued job of the batch settled (and after
    /// their own lambdas), with counts by outcome; at once for an empty batch. Each job's own lambdas
    /// (<paramref name="success"/>, <paramref name="error"/>, <paramref name="cancelled"/>) run as with
    /// <see cref="Enqueue"/>.
    /// <para>
    /// With a journal (<see cref="DistributorOptions.Redis"/>) the batch is tracked in Redis under its id, the
    /// first id returned: each job's outcome is counted as its result is recorded, and the batch feedback is
    /// claimed there once. If this application dies before the batch completed, the same application restarted
    /// (same <see cref="DistributorOptions.Name"/>) runs <see cref="DistributorOptions.OnBatchResult"/> instead,
    /// once, with the counts of every job of the batch (a batch whose input had not ended counts the jobs that
    /// were journaled). Either the lambda or the handler runs, not both, except when the application dies after
    /// the lambda started and before Redis recorded that it ran: then the handler runs too (at least once).
    /// </para>
    /// </summary>
    /// <remarks>
    /// Batched jobs have no producer span each. Ids are consecutive within a chunk and the returned list
    /// writes each id when it is read. Do not call it from a feedback lambda with a batch larger than the
    /// window: it would wait for feedback that runs on the thread it blocks.
    /// </remarks>
    public IReadOnlyList<string> EnqueueMany(string name, IEnumerable<object?> args, EnqueueOptions? options = null,
        Action<BatchResult>? onBatchComplete = null, Action<JobArgs>? success = null, Action<JobArgs>? error = null,
        Action<JobArgs>? cancelled = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (options?.UniqueKey is not null)
        {
            throw new ArgumentException("a batch cannot share one UniqueKey: give each job its own with Enqueue", nameof(options));
        }
        var window = _options.BatchWindow;
        var ids = new BatchIds(_ids);
        string? batchId = null;
        var tracker = new BatchTracker(result => CompleteBatch(batchId, result, onBatchComplete));
        using var items = args.GetEnumerator();
        // The first window is all or nothing: read and validated whole before any of it is queued.
        var jobs = ReadChunk(items, name, options, window, ids, out var ended);
        if (_journal is { } journal && jobs.Count > 0)
        {
            batchId = jobs[0].Id;
            OpenBatch(journal, batchId);
        }
        var feedback = new JobFeedback(name, success, error, null, Settled: tracker.Settled) { Cancelled = cancelled, BatchId = batchId };
        try
        {
            Queue(jobs, feedback, tracker, batchId);
        }
        catch when (batchId is not null)
        {
            // Nothing of the batch was queued: Redis need not remember it.
            _journal!.MarkBatchDelivered(batchId);
            throw;
        }
        while (!ended)
        {
            try
            {
                jobs = ReadChunk(items, name, options, Math.Min(BatchChunk, window), ids, out ended);
                WaitForRoom(tracker, jobs.Count, window, ids.Count - jobs.Count);
                Queue(jobs, feedback, tracker, batchId);
            }
            catch
            {
                tracker.Seal();
                throw;
            }
        }
        tracker.Seal();
        return ids;
    }

    /// <summary>
    /// Reads up to <paramref name="limit"/> items and turns each into a job, with ids reserved for the
    /// chunk at once. A bad item throws, naming its index and what was queued before it.
    /// </summary>
    private List<JobEnvelope> ReadChunk(IEnumerator<object?> args, string name, EnqueueOptions? options, int limit, BatchIds ids,
        out bool ended)
    {
        var queued = ids.Count;
        var first = _ids.Reserve(limit);
        var jobs = new List<JobEnvelope>(Math.Min(limit, 1024));
        ended = false;
        while (jobs.Count < limit)
        {
            if (!args.MoveNext())
            {
                ended = true;
                break;
            }
            try
            {
                jobs.Add(Prepare(name, args.Current, options, span: null, _ids.Format(first + jobs.Count)));
            }
            catch (ArgumentException e)
            {
                var index = queued + jobs.Count;
                var what = queued == 0
                    ? "nothing was queued"
                    : $"items 0 to {queued - 1} were queued and run, and the batch feedback counts only them; nothing from item {index} on was queued";
                throw new ArgumentException($"batch item {index}: {e.Message} ({what})", nameof(args), e);
            }
        }
        ids.Add(first, jobs.Count);
        return jobs;
    }

    private void WaitForRoom(BatchTracker tracker, int incoming, int window, int queued)
    {
        try
        {
            tracker.WaitForRoom(incoming, window, _stopping.Token);
        }
        catch (OperationCanceledException e)
        {
            throw new InvalidOperationException(
                $"the distributor stopped while EnqueueMany waited for its jobs to settle; {queued} items were queued, none after", e);
        }
    }

    /// <summary>Registers, journals (all or none of the chunk) and dispatches a chunk of the batch.</summary>
    private void Queue(List<JobEnvelope> jobs, JobFeedback feedback, BatchTracker tracker, string? batchId)
    {
        foreach (var job in jobs)
        {
            job.BatchId = batchId;
            _feedback.Register(job.Id, feedback);
        }
        RecordAll(jobs);
        tracker.Add(jobs.Count);
        foreach (var job in jobs)
        {
            Dispatch(job);
        }
    }

    /// <summary>Journals every job of a chunk (one group commit carries many), all or none.</summary>
    private void RecordAll(List<JobEnvelope> jobs)
    {
        if (_journal is not { } journal)
        {
            return;
        }
        var writes = jobs.Select(journal.RecordAsync).ToArray();
        try
        {
            // Blocks on the writes themselves, like Enqueue: the journal thread completes them.
            Task.WaitAll(writes);
        }
        catch (AggregateException e)
        {
            foreach (var job in jobs)
            {
                _feedback.Forget(job.Id);
                journal.Forget(job.Id);
            }
            throw e.InnerExceptions[0];
        }
    }
}
