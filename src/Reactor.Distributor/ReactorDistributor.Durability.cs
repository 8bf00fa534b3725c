using Microsoft.Extensions.Logging;
using Reactor.Distributor;
using Reactor.Distributor.Durability;
using Reactor.Distributor.Feedback;

namespace Reactor;

// With DistributorOptions.Redis: the journal of unsettled jobs, recovered results, and handlers by job name.
public sealed partial class ReactorDistributor
{
    private DistributorJournal? _journal;

    /// <summary>
    /// The final result of <paramref name="jobId"/> if it settled within the retention (durable
    /// distributors only), or null when unknown, not finished yet, or expired.
    /// </summary>
    public async Task<JobResult?> GetResultAsync(string jobId)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        return _journal is null ? null : await _journal.GetResultAsync(jobId).ConfigureAwait(false);
    }

    /// <summary>Connects the journal, retrying with backoff while Redis is unreachable.</summary>
    private async Task OpenJournalAsync(CancellationToken cancellationToken)
    {
        _journal = await Storage.Redis.RedisRetry.UntilConnectedAsync(
            _ => DistributorJournal.OpenAsync(_options.Redis!, _options.KeyPrefix, _options.Name, _options.ResultRetention, _codec, _logger),
            (reason, delay) => LogJournalUnavailable(_logger, reason, delay),
            _time, cancellationToken).ConfigureAwait(false);
        _feedback.UseJournal(_journal, _time);
        _dispatcher.UseRedisLimits(_journal.Database, _options.KeyPrefix, _logger);
        if (!_options.DurableEnqueue)
        {
            LogFireAndForget(_logger);
        }
    }

    /// <summary>Dispatches again every job the journal holds from before the restart.</summary>
    private async Task RecoverAsync()
    {
        var recovered = await _journal!.LoadAsync().ConfigureAwait(false);
        var batches = await RecoverBatchesAsync(recovered).ConfigureAwait(false);
        foreach (var (dispatch, entry) in recovered)
        {
            var job = new JobEnvelope(dispatch, entry.Node, entry.NotNode, DateTimeOffset.FromUnixTimeMilliseconds(entry.DeadlineUnixMs))
            {
                MaxDispatches = entry.MaxDispatches,
                UniqueKey = entry.UniqueKey,
                // An unknown value (a newer build's) reads as the default rather than failing the recovery.
                Priority = entry.Scheduling?.Priority is { } priority && Enum.IsDefined((JobPriority)priority) ? (JobPriority)priority : JobPriority.Normal,
                UniqueUntil = entry.Scheduling?.UniqueUntil == (int)UniqueUntil.Start ? UniqueUntil.Start : UniqueUntil.Finish,
            };
            ReleaseOnStart(job);
            _options.ResultHandlers.TryGetValue(dispatch.Name, out var handler);
            if (entry.UniqueKey is { } key)
            {
                // Still holding its key (or the key expired): settling it here releases it.
                _uniqueHere[job.Id] = key;
            }
            var feedback = new JobFeedback(dispatch.Name, null, null, null, handler);
            if (entry.BatchId is { } batchId && batches.TryGetValue(batchId, out var batch))
            {
                // Counted into its batch, in Redis and here, as it settles.
                job.BatchId = batchId;
                feedback = feedback with { Settled = batch.Settled, BatchId = batchId };
            }
            _feedback.Register(dispatch.JobId, WithRelease(job, feedback));
            if (_dispatcher.Submit(job) == SubmitResult.UnknownName)
            {
                WarnUnknown(job.Name);
            }
        }
        if (recovered.Count > 0)
        {
            LogRecovered(_logger, recovered.Count, _options.Name);
        }
        await RedeliverAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Runs the <see cref="DistributorOptions.OnResult"/> handlers of results that were recorded
    /// before the restart but whose feedback had not run yet.
    /// </summary>
    private async Task RedeliverAsync()
    {
        var undelivered = await _journal!.LoadUndeliveredAsync().ConfigureAwait(false);
        foreach (var jobId in undelivered)
        {
            if (await _journal.GetStoredAsync(jobId).ConfigureAwait(false) is not var (name, result))
            {
                _journal.MarkDelivered(jobId);
                continue;
            }
            _options.ResultHandlers.TryGetValue(name, out var handler);
            _feedback.Redeliver(new JobFeedback(name, null, null, null, handler), result);
        }
        if (undelivered.Count > 0)
        {
            LogRedelivered(_logger, undelivered.Count, _options.Name);
        }
    }

    [LoggerMessage(EventId = 402, Level = LogLevel.Error, Message = "Durable journal unavailable: {Reason}; retrying in {Delay}")]
    private static partial void LogJournalUnavailable(ILogger logger, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 404, Level = LogLevel.Information, Message = "Delivering {Count} results recorded before the restart whose feedback had not run (journal '{Name}')")]
    private static partial void LogRedelivered(ILogger logger, int count, string name);

    [LoggerMessage(EventId = 405, Level = LogLevel.Warning, Message = "DurableEnqueue is off: Enqueue returns before Redis holds the job; a crash loses the jobs of the last journal round trip (milliseconds)")]
    private static partial void LogFireAndForget(ILogger logger);

    [LoggerMessage(EventId = 403, Level = LogLevel.Information, Message = "Recovered {Count} unsettled jobs from journal '{Name}'")]
    private static partial void LogRecovered(ILogger logger, int count, string name);
}
