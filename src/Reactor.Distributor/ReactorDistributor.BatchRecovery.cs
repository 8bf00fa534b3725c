using Microsoft.Extensions.Logging;
using Reactor.Distributor;
using Reactor.Distributor.Batching;
using Reactor.Distributor.Durability;
using Reactor.Protocol.Messages;
using StackExchange.Redis;

namespace Reactor;

// A batch's feedback across an application restart: claimed once in Redis by whichever process sees the batch complete.
public sealed partial class ReactorDistributor
{
    private static readonly TimeSpan BatchClaimRetry = TimeSpan.FromMilliseconds(500);

    /// <summary>Lists a journaled batch in Redis before any of its jobs is journaled, so a restart finds it.</summary>
    private static void OpenBatch(DistributorJournal journal, string batchId)
    {
        try
        {
            journal.OpenBatchAsync(batchId).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            throw new JournalWriteException($"Redis did not accept the batch: {e.Message}; nothing was queued", e);
        }
    }

    /// <summary>
    /// Every job of the batch settled and its input ended. Without a journal the lambda is posted; with one,
    /// the batch is claimed in Redis first and the lambda runs only if this process won the claim.
    /// </summary>
    private void CompleteBatch(string? batchId, BatchResult result, Action<BatchResult>? onComplete)
    {
        if (batchId is null || _journal is not { } journal)
        {
            if (onComplete is not null)
            {
                _feedback.Post(() => onComplete(result));
            }
            return;
        }
        _ = ClaimAndRunAsync(journal, batchId, result.Total, onComplete);
    }

    /// <summary>
    /// Claims the batch (retrying while Redis is away, until the distributor stops), then runs
    /// <paramref name="run"/> on the delivery loop and tells Redis it ran, even if it threw.
    /// </summary>
    private async Task ClaimAndRunAsync(DistributorJournal journal, string batchId, int total, Action<BatchResult>? run)
    {
        BatchResult? claimed;
        while (true)
        {
            try
            {
                claimed = await journal.ClaimBatchAsync(batchId, total).ConfigureAwait(false);
                break;
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                // Unclaimed, the batch stays listed: the next start claims it if this process cannot.
                LogBatchClaimFailed(_logger, batchId, e.Message, BatchClaimRetry);
                try
                {
                    await Task.Delay(BatchClaimRetry, _time, _stopping.Token).ConfigureAwait(false);
                }
                catch (Exception stop) when (stop is OperationCanceledException or ObjectDisposedException)
                {
                    return;
                }
            }
            catch (ObjectDisposedException)
            {
                return;
            }
        }
        if (claimed is null)
        {
            LogBatchClaimedBefore(_logger, batchId);
            return;
        }
        _feedback.Post(() =>
        {
            try
            {
                run?.Invoke(claimed);
            }
            finally
            {
                journal.MarkBatchDelivered(batchId);
            }
        });
    }

    /// <summary>
    /// The batches listed in Redis when the app starts: one claimed before the restart whose feedback was not
    /// known to have run gets <see cref="DistributorOptions.OnBatchResult"/> now; any other is sealed with the
    /// jobs Redis counted plus those still journaled, and completes as they settle here. Returns the trackers
    /// by batch id, for the recovered jobs to report to.
    /// </summary>
    private async Task<Dictionary<string, BatchTracker>> RecoverBatchesAsync(List<(Dispatch Dispatch, JournalEntry Entry)> recovered)
    {
        var journal = _journal!;
        var pending = recovered.Where(r => r.Entry.BatchId is not null).GroupBy(r => r.Entry.BatchId!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var handler = _options.BatchResultHandler;
        Action<BatchResult>? Handler(string id) => handler is null ? null : r => handler(id, r);
        var trackers = new Dictionary<string, BatchTracker>(StringComparer.Ordinal);
        foreach (var batch in await journal.LoadBatchesAsync().ConfigureAwait(false))
        {
            if (batch.ClaimedTotal is { } total)
            {
                var result = new BatchResult(total, batch.Succeeded, batch.Failed, batch.Cancelled);
                var run = Handler(batch.Id);
                _feedback.Post(() =>
                {
                    try
                    {
                        run?.Invoke(result);
                    }
                    finally
                    {
                        journal.MarkBatchDelivered(batch.Id);
                    }
                });
                continue;
            }
            var id = batch.Id;
            var tracker = new BatchTracker(r => _ = ClaimAndRunAsync(journal, id, r.Total, Handler(id)));
            trackers[id] = tracker;
            tracker.Restore(batch.Counted + pending.GetValueOrDefault(id), batch.Succeeded, batch.Failed, batch.Cancelled);
        }
        if (trackers.Count > 0)
        {
            LogBatchesRecovered(_logger, trackers.Count, _options.Name);
        }
        return trackers;
    }

    [LoggerMessage(EventId = 406, Level = LogLevel.Warning, Message = "Could not claim the feedback of batch {BatchId}: {Reason}; retrying in {Delay}")]
    private static partial void LogBatchClaimFailed(ILogger logger, string batchId, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 407, Level = LogLevel.Warning, Message = "Batch {BatchId} completed here but its feedback was claimed before (by another start of this application); not running it again")]
    private static partial void LogBatchClaimedBefore(ILogger logger, string batchId);

    [LoggerMessage(EventId = 408, Level = LogLevel.Information, Message = "Recovered {Count} unfinished batches from journal '{Name}'")]
    private static partial void LogBatchesRecovered(ILogger logger, int count, string name);
}
