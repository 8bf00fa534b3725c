using System.Buffers;
using MessagePack;
using Microsoft.Extensions.Logging;
using Reactor.Distributor.Feedback;
using Reactor.Protocol.Framing;
using Reactor.Protocol.Messages;
using StackExchange.Redis;

namespace Reactor.Distributor.Durability;

/// <summary>
/// Makes the distributor's accepted-but-unsettled jobs and recent results survive an application
/// restart. Keys (prefix "reactor", distributor name "default" unless configured; the braces are a
/// Redis Cluster hash tag, see <see cref="DistributorKeys"/>):
/// <c>{prefix}:dist:{{name}}:jobs</c> a hash of job id → <see cref="JournalEntry"/>;
/// <c>{prefix}:dist:{{name}}:result:{id}</c> a <see cref="StoredResult"/> that expires after the retention;
/// <c>{prefix}:dist:{{name}}:undelivered</c> a set of job ids whose result is stored but whose feedback
/// has not run yet. Writes go through one <see cref="JournalWriter"/> (group commit). Keys written by
/// versions before the hash tag are moved on open (<see cref="MigrateAsync"/>).
/// </summary>
internal sealed partial class DistributorJournal : IAsyncDisposable, IResultJournal
{
    private static readonly MessagePackSerializerOptions Untrusted =
        MessagePackSerializerOptions.Standard.WithSecurity(MessagePackSecurity.UntrustedData);

    private readonly ConnectionMultiplexer _redis;
    private readonly IDatabase _db;
    private readonly MessageCodec _codec;
    private readonly ILogger _logger;
    private readonly TimeSpan _retention;
    private readonly DistributorKeys _keys;
    private readonly JournalWriter _writer;

    private DistributorJournal(ConnectionMultiplexer redis, MessageCodec codec, ILogger logger, string prefix, string name, TimeSpan retention)
    {
        _redis = redis;
        _db = redis.GetDatabase();
        _codec = codec;
        _logger = logger;
        _retention = retention;
        _keys = new DistributorKeys(prefix, name);
        SnapshotKey = DistributorSnapshotJson.Key(prefix, name);
        _writer = new JournalWriter(_db, _keys, retention, logger);
    }

    public static async Task<DistributorJournal> OpenAsync(string address, string prefix, string name, TimeSpan retention,
        MessageCodec codec, ILogger logger)
    {
        // Same first-connect rules as node storage: fail with a reason instead of waiting silently.
        var config = Storage.Redis.RedisAddress.Parse(address);
        var redis = await Storage.Redis.RedisJobStore.ConnectMultiplexerAsync(config, CancellationToken.None).ConfigureAwait(false);
        var journal = new DistributorJournal(redis, codec, logger, prefix, name, retention);
        try
        {
            await journal.MigrateAsync().ConfigureAwait(false);
        }
        catch
        {
            await journal.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return journal;
    }

    /// <summary>
    /// Moves the unsettled jobs and undelivered results of a version that named its keys without the
    /// hash tag to the tagged keys, so an upgrade loses no journalled job. RENAMENX is atomic and never
    /// overwrites: such keys can only exist on a single Redis (or under a prefix with its own hash
    /// tag), where both names share a slot. Results already delivered stay under their old names and
    /// are still found by <see cref="GetStoredAsync"/> until they expire.
    /// </summary>
    private async Task MigrateAsync()
    {
        var undelivered = await _db.SetMembersAsync(_keys.LegacyUndelivered).ConfigureAwait(false);
        foreach (var id in undelivered)
        {
            if (await _db.KeyExistsAsync(_keys.LegacyResult(id.ToString())).ConfigureAwait(false))
            {
                await _db.KeyRenameAsync(_keys.LegacyResult(id.ToString()), _keys.Result(id.ToString()), When.NotExists).ConfigureAwait(false);
            }
        }
        if (undelivered.Length > 0)
        {
            await _db.SetAddAsync(_keys.Undelivered, undelivered).ConfigureAwait(false);
            await _db.KeyDeleteAsync(_keys.LegacyUndelivered).ConfigureAwait(false);
        }
        var legacyJobs = await _db.HashGetAllAsync(_keys.LegacyJobs).ConfigureAwait(false);
        if (legacyJobs.Length > 0)
        {
            // Fields already present under the new key are newer: keep them.
            foreach (var entry in legacyJobs)
            {
                await _db.HashSetAsync(_keys.Jobs, entry.Name, entry.Value, When.NotExists).ConfigureAwait(false);
            }
            await _db.KeyDeleteAsync(_keys.LegacyJobs).ConfigureAwait(false);
            LogMigrated(_logger, legacyJobs.Length, undelivered.Length);
        }
    }

    /// <summary>Every job accepted before the last shutdown or crash and not settled since.</summary>
    public async Task<List<(Dispatch Dispatch, JournalEntry Entry)>> LoadAsync()
    {
        var found = new List<(Dispatch, JournalEntry)>();
        foreach (var field in await _db.HashGetAllAsync(_keys.Jobs).ConfigureAwait(false))
        {
            try
            {
                var entry = MessagePackSerializer.Deserialize<JournalEntry>((byte[])field.Value!, Untrusted);
                var frame = new ReadOnlySequence<byte>(entry.DispatchFrame, MessageCodec.HeaderBytes, entry.DispatchFrame.Length - MessageCodec.HeaderBytes);
                if (_codec.Decode(frame) is Dispatch dispatch)
                {
                    found.Add((dispatch, entry));
                    continue;
                }
                LogUnreadable(_logger, field.Name.ToString(), "not a dispatch");
            }
            catch (Exception e) when (e is MessagePackSerializationException or InvalidDataException or ArgumentException)
            {
                LogUnreadable(_logger, field.Name.ToString(), e.Message);
            }
        }
        return found;
    }

    /// <summary>Completes once Redis acknowledged the job's entry; faults with <see cref="JournalWriteException"/> otherwise.</summary>
    public Task RecordAsync(JobEnvelope job) => _writer.RecordAsync(job.Id, Encode(job));

    /// <summary>Ids of jobs whose result was stored but whose feedback had not run when the app stopped.</summary>
    public async Task<List<string>> LoadUndeliveredAsync() =>
        [.. (await _db.SetMembersAsync(_keys.Undelivered).ConfigureAwait(false)).Select(v => v.ToString())];

    /// <summary>The journal's connection: fork/join claims write the journal entry in the same script.</summary>
    internal IDatabase Database => _db;

    /// <summary>Where the distributor publishes its snapshot for <c>reactor monitor nodes</c>.</summary>
    internal RedisKey SnapshotKey { get; }

    /// <summary>The hash of unsettled jobs.</summary>
    internal RedisKey JobsKey => _keys.Jobs;

    /// <summary>The key layout, shared with the fork/join store.</summary>
    internal DistributorKeys Keys => _keys;

    /// <summary>The journal entry of <paramref name="job"/>, as <see cref="RecordAsync"/> stores it.</summary>
    internal byte[] Encode(JobEnvelope job)
    {
        var entry = new JournalEntry(_codec.EncodeFrame(job.Dispatch), job.Node, job.NotNode, job.Deadline.ToUnixTimeMilliseconds())
        {
            MaxDispatches = job.MaxDispatches,
            UniqueKey = job.UniqueKey,
            BatchId = job.BatchId,
            Scheduling = job.Priority == JobPriority.Normal && job.UniqueUntil == UniqueUntil.Finish
                ? null
                : new JournalScheduling { Priority = (int)job.Priority, UniqueUntil = (int)job.UniqueUntil },
        };
        return MessagePackSerializer.Serialize(entry, Untrusted);
    }

    /// <summary>Drops the entry of a job that never reached the dispatcher.</summary>
    public void Forget(string jobId) => _writer.Remove(jobId);

    /// <inheritdoc />
    public Task SettleAsync(string name, JobResult result, DateTimeOffset now, string? batchId)
    {
        var stored = new StoredResult(result.JobId, name, (int)result.Outcome, JobArgsSerializer.Serialize(result.Args), result.Error,
            now.ToUnixTimeMilliseconds()) { Reason = (int)result.Reason };
        return _writer.SettleAsync(result.JobId, MessagePackSerializer.Serialize(stored, Untrusted), batchId,
            batchId is null ? null : BatchCounters.Field(result.Outcome));
    }

    /// <inheritdoc />
    public void MarkDelivered(string jobId) => _writer.MarkDelivered(jobId);

    public async Task<JobResult?> GetResultAsync(string jobId) => (await GetStoredAsync(jobId).ConfigureAwait(false))?.Result;

    /// <summary>The job name a stored result was recorded under, with the result; null when expired.</summary>
    public async Task<(string Name, JobResult Result)?> GetStoredAsync(string jobId)
    {
        var value = await _db.StringGetAsync(_keys.Result(jobId)).ConfigureAwait(false);
        if (value.IsNull)
        {
            // Stored by a version before the hash tag, within the retention.
            value = await _db.StringGetAsync(_keys.LegacyResult(jobId)).ConfigureAwait(false);
        }
        if (value.IsNull)
        {
            return null;
        }
        var stored = MessagePackSerializer.Deserialize<StoredResult>((byte[])value!, Untrusted);
        return (stored.Name, new JobResult(stored.JobId, (JobOutcome)stored.Outcome, JobArgsSerializer.Deserialize(stored.Args), stored.Error)
        {
            Reason = (JobOutcomeReason)stored.Reason,
        });
    }

    /// <summary>Writes what is still queued (within <paramref name="timeout"/>), then closes the connection.</summary>
    public async Task CloseAsync(TimeSpan timeout)
    {
        await Task.Run(() => _writer.Flush(timeout)).ConfigureAwait(false);
        await DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        _writer.Dispose();
        await _redis.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Lists the batch in Redis before any of its jobs is journaled, so a restart finds it.</summary>
    public Task OpenBatchAsync(string batchId) => _db.SetAddAsync(_keys.Batches, batchId);

    /// <summary>
    /// Claims the batch's feedback, once for all processes: writes its <paramref name="total"/> and the claim,
    /// and returns the counts, or null when it was claimed before.
    /// </summary>
    public async Task<BatchResult?> ClaimBatchAsync(string batchId, int total)
    {
        var reply = await _db.ScriptEvaluateAsync(BatchCounters.ClaimScript, [_keys.Batch(batchId)], [total]).ConfigureAwait(false);
        if (reply.IsNull)
        {
            return null;
        }
        var counts = (RedisValue[])reply!;
        return new BatchResult(total, BatchCounters.Read(counts[0]), BatchCounters.Read(counts[1]), BatchCounters.Read(counts[2]));
    }

    /// <summary>The batch's feedback ran (or no process had one to run): Redis forgets the batch.</summary>
    public void MarkBatchDelivered(string batchId) => _writer.MarkBatchDelivered(batchId);

    /// <summary>Every batch listed as not delivered, with its counters as Redis holds them.</summary>
    public async Task<List<BatchCounters>> LoadBatchesAsync()
    {
        var found = new List<BatchCounters>();
        foreach (var id in await _db.SetMembersAsync(_keys.Batches).ConfigureAwait(false))
        {
            var fields = (await _db.HashGetAllAsync(_keys.Batch(id.ToString())).ConfigureAwait(false)).ToDictionary(e => e.Name.ToString(), e => e.Value);
            int Get(string field) => fields.TryGetValue(field, out var v) ? BatchCounters.Read(v) : 0;
            found.Add(new BatchCounters(id.ToString(), Get("s"), Get("f"), Get("c"), fields.ContainsKey("done") ? Get("total") : null));
        }
        return found;
    }

    [LoggerMessage(EventId = 501, Level = LogLevel.Error, Message = "Skipped unreadable journal entry {JobId}: {Reason}")]
    private static partial void LogUnreadable(ILogger logger, string jobId, string reason);

    [LoggerMessage(EventId = 505, Level = LogLevel.Information,
        Message = "Moved {Jobs} journalled job(s) and {Undelivered} undelivered result(s) from the untagged key names of an earlier version")]
    private static partial void LogMigrated(ILogger logger, int jobs, int undelivered);
}
