using Reactor.Distributor;
using Reactor.Distributor.Feedback;

namespace Reactor;

// EnqueueMany: many jobs of one name in one call, with one feedback for the whole batch.
public sealed partial class ReactorDistributor
{
    /// <summary>
    /// Queues one job <paramref name="name"/> per item of <paramref name="args"/>, all with
    /// <paramref name="options"/>, and returns their ids in input order. All or nothing: every item is
    /// validated and encoded first, so an item that cannot be sent throws <see cref="ArgumentException"/>
    /// naming its index and nothing is queued; with a journal, all entries go to Redis in shared round trips
    /// before any job is dispatched, and if Redis refuses one, none is queued
    /// (<see cref="JournalWriteException"/>). <paramref name="onBatchComplete"/> runs once, after
    /// every job of the batch settled (and after their own lambdas), with counts by outcome; at once for an
    /// empty batch. Each job's own lambdas (<paramref name="success"/>, <paramref name="error"/>,
    /// <paramref name="cancelled"/>) run as with <see cref="Enqueue"/>. Like every lambda, the batch feedback
    /// lives in this process: it does not survive an application restart.
    /// </summary>
    /// <remarks>The input is read once, as a stream; the distributor then holds one envelope per job, as for single enqueues.</remarks>
    public IReadOnlyList<string> EnqueueMany(string name, IEnumerable<object?> args, EnqueueOptions? options = null,
        Action<BatchResult>? onBatchComplete = null, Action<JobArgs>? success = null, Action<JobArgs>? error = null,
        Action<JobArgs>? cancelled = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (options?.UniqueKey is not null)
        {
            throw new ArgumentException("a batch cannot share one UniqueKey: give each job its own with Enqueue", nameof(options));
        }
        var jobs = new List<JobEnvelope>(args.TryGetNonEnumeratedCount(out var count) ? count : 256);
        foreach (var item in args)
        {
            try
            {
                jobs.Add(Prepare(name, item, options, span: null));
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"batch item {jobs.Count}: {e.Message} (nothing was queued)", nameof(args), e);
            }
        }
        var tracker = onBatchComplete is null ? null : new BatchTracker(jobs.Count, onBatchComplete, _feedback);
        foreach (var job in jobs)
        {
            _feedback.Register(job.Id, new JobFeedback(name, success, error, null, Settled: tracker is null ? null : tracker.Settled) { Cancelled = cancelled });
        }
        RecordAll(jobs);
        foreach (var job in jobs)
        {
            Dispatch(job);
        }
        if (jobs.Count == 0)
        {
            tracker?.Complete();
        }
        return [.. jobs.Select(j => j.Id)];
    }

    /// <summary>Journals every job of a batch (one group commit carries many), all or none.</summary>
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
