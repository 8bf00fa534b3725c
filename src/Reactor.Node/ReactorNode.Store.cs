using Reactor.Node.Runtime;
using Microsoft.Extensions.Logging;
using Reactor.Storage;

namespace Reactor;

// Writes to the job store. Memory writes finish at once; Redis writes are chained per job, so one
// job's saves and its delete reach Redis in the order the loop made them (a delete overtaken by an
// earlier save would leave a finished job looking unfinished, and RetryJobsAtStart would run it again).
// Writes in flight are bounded (StoreWriteGate): at the bound the node withholds credit, and a write the
// store did not answer is retried in its place in the chain instead of being dropped.
public sealed partial class ReactorNode
{
    /// <summary>Record writes in flight against <see cref="NodeOptions.MaxPendingStoreWrites"/>; full means no credit goes out.</summary>
    private readonly StoreWriteGate _storeWrites;

    /// <summary>When the bound was last logged (loop only).</summary>
    private DateTimeOffset _storeFullLogged = DateTimeOffset.MinValue;

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
        Chain(job, () => _store!.SaveAsync(snapshot));
    }

    private void Delete(NodeJob job)
    {
        if (_store is { IsDurable: false })
        {
            return;
        }
        Chain(job, async () => await _store!.DeleteAsync(job.Id).ConfigureAwait(false));
    }

    /// <summary>The job went back to the distributor: its record is another node's to write now.</summary>
    private void DisownWrites(NodeJob job)
    {
        if (job.StoreTail is { IsCompleted: false })
        {
            job.StoreWrites++;
        }
    }

    // Loop thread only (Persist and Delete run there), so the sequence numbers need no lock.
    private void Chain(NodeJob job, Func<ValueTask> write)
    {
        var sequence = ++job.StoreWrites;
        if (_storeWrites.Begin() && _time.GetUtcNow() - _storeFullLogged >= TimeSpan.FromSeconds(10))
        {
            // At most one line per 10 s: near the bound the count crosses it back and forth.
            _storeFullLogged = _time.GetUtcNow();
            LogStoreWritesFull(_logger, _storeWrites.Bound);
        }
        job.StoreTail = Then(job, sequence, job.StoreTail, write);
    }

    private async Task Then(NodeJob job, int sequence, Task previous, Func<ValueTask> next)
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
            await WriteAsync(job, sequence, next).ConfigureAwait(false);
        }
        finally
        {
            if (_storeWrites.End())
            {
                // Below the bound again: the withheld credit goes out now. The loop's idle hook would
                // send it too, but an idle loop with no credit out gets no work that would make it idle again.
                _loop.Post(static state => ((ReactorNode)state!).FlushCredits(), this);
            }
        }
    }

    /// <summary>
    /// One write, retried while the store does not answer (a timeout, a lost connection): a job that ran
    /// must not be left without its record because Redis stalled for a while. Retries stop when a newer
    /// write of the job supersedes this one (it carries the latest state), when the job went back to the
    /// distributor, or when the node stops. Other failures (Redis refusing the write) are logged and not retried.
    /// </summary>
    private async Task WriteAsync(NodeJob job, int sequence, Func<ValueTask> write)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await write().ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (IsStoreUnanswered(e) && !_stopping.IsCancellationRequested)
            {
                if (job.StoreWrites != sequence)
                {
                    return;
                }
                if (attempt == 1)
                {
                    LogStoreWriteRetrying(_logger, job.Id, e.Message);
                }
                try
                {
                    await Task.Delay(StoreRetryDelay(attempt), _time, _stopping.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    LogStoreFailed(_logger, e);
                    throw;
                }
            }
            catch (Exception e)
            {
                LogStoreFailed(_logger, e);
                throw;
            }
        }
    }

    /// <summary>The store did not answer in time or the connection is down: worth trying again.</summary>
    private static bool IsStoreUnanswered(Exception e) =>
        e is TimeoutException or StackExchange.Redis.RedisConnectionException;

    /// <summary>200 ms doubling per attempt, at most 5 s.</summary>
    internal static TimeSpan StoreRetryDelay(int attempt) =>
        TimeSpan.FromMilliseconds(Math.Min(5000, 200 * Math.Pow(2, Math.Min(attempt - 1, 10))));

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

    [LoggerMessage(EventId = 70, Level = LogLevel.Warning, Message = "Job {JobId}: the job store did not answer a record write ({Reason}); retrying it until it does")]
    private static partial void LogStoreWriteRetrying(ILogger logger, string jobId, string reason);

    [LoggerMessage(EventId = 71, Level = LogLevel.Warning, Message = "{Bound} job-record writes in flight (MaxPendingStoreWrites): taking no new jobs until the store catches up")]
    private static partial void LogStoreWritesFull(ILogger logger, int bound);
}
