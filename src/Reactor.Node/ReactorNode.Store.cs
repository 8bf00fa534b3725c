using Reactor.Node.Runtime;
using Reactor.Storage;

namespace Reactor;

// Writes to the job store. Memory writes finish at once; Redis writes are chained per job, so one
// job's saves and its delete reach Redis in the order the loop made them (a delete overtaken by an
// earlier save would leave a finished job looking unfinished, and RetryJobsAtStart would run it again).
public sealed partial class ReactorNode
{
    private void Persist(NodeJob job)
    {
        if (_store is { IsDurable: false })
        {
            // With memory storage the node's own job table is the store: the records are the very
            // objects it holds, and a second map of them would cost ~100 bytes per pending job.
            return;
        }
        // A snapshot: the loop keeps changing the record while the write is in flight.
        var snapshot = job.Record.ToStored(job.StoredArgs(), Name);
        job.StoreTail = Then(job.StoreTail, () => _store!.SaveAsync(snapshot));
    }

    private void Delete(NodeJob job)
    {
        if (_store is { IsDurable: false })
        {
            return;
        }
        job.StoreTail = Then(job.StoreTail, async () => await _store!.DeleteAsync(job.Id).ConfigureAwait(false));
    }

    private async Task Then(Task previous, Func<ValueTask> next)
    {
        try
        {
            await previous.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Already logged by the step that failed; the next write still goes out.
        }
        try
        {
            await next().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            LogStoreFailed(_logger, e);
            throw;
        }
    }

    private void Observe(ValueTask pending)
    {
        if (!pending.IsCompletedSuccessfully)
        {
            Observe(pending.AsTask());
        }
    }

    private void Observe(Task pending)
    {
        if (pending.IsCompletedSuccessfully)
        {
            return;
        }
        _ = pending.ContinueWith(t => LogStoreFailed(_logger, t.Exception!.GetBaseException()),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }
}
