using System.Buffers;
using MessagePack;
using Microsoft.Extensions.Logging;
using Reactor.Protocol.Framing;
using Reactor.Protocol.Messages;
using StackExchange.Redis;

namespace Reactor.Distribution.Durability;

/// <summary>
/// Makes the distributor's accepted-but-unsettled jobs and recent results survive an application
/// restart. Keys (prefix "reactor", distributor name "default" unless configured):
/// <c>{prefix}:dist:{name}:jobs</c> a hash of job id → <see cref="JournalEntry"/>;
/// <c>{prefix}:dist:{name}:result:{id}</c> a <see cref="StoredResult"/> that expires after the retention.
/// Writes are pipelined (not awaited on the enqueue path); a failed write is logged.
/// </summary>
internal sealed partial class DistributorJournal : IAsyncDisposable
{
    private static readonly MessagePackSerializerOptions Untrusted =
        MessagePackSerializerOptions.Standard.WithSecurity(MessagePackSecurity.UntrustedData);

    private readonly ConnectionMultiplexer _redis;
    private readonly IDatabase _db;
    private readonly MessageCodec _codec;
    private readonly ILogger _logger;
    private readonly TimeSpan _retention;
    private readonly RedisKey _jobsKey;
    private readonly string _resultPrefix;

    private DistributorJournal(ConnectionMultiplexer redis, MessageCodec codec, ILogger logger, string prefix, string name, TimeSpan retention)
    {
        _redis = redis;
        _db = redis.GetDatabase();
        _codec = codec;
        _logger = logger;
        _retention = retention;
        _jobsKey = $"{prefix}:dist:{Escape(name)}:jobs";
        _resultPrefix = $"{prefix}:dist:{Escape(name)}:result:";
    }

    public static async Task<DistributorJournal> OpenAsync(string address, string prefix, string name, TimeSpan retention,
        MessageCodec codec, ILogger logger)
    {
        // Same first-connect rules as node storage: fail with a reason instead of waiting silently.
        var config = Storage.Redis.RedisAddress.Parse(address);
        var redis = await Storage.Redis.RedisJobStore.ConnectMultiplexerAsync(config, CancellationToken.None).ConfigureAwait(false);
        return new DistributorJournal(redis, codec, logger, prefix, name, retention);
    }

    /// <summary>Every job accepted before the last shutdown or crash and not settled since.</summary>
    public async Task<List<(Dispatch Dispatch, JournalEntry Entry)>> LoadAsync()
    {
        var found = new List<(Dispatch, JournalEntry)>();
        foreach (var field in await _db.HashGetAllAsync(_jobsKey).ConfigureAwait(false))
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

    public void Record(JobEnvelope job) => Observe(_db.HashSetAsync(_jobsKey, job.Id, Encode(job)), job.Id);

    /// <summary>The journal's connection: fork/join claims write the journal entry in the same script.</summary>
    internal IDatabase Database => _db;

    /// <summary>The hash of unsettled jobs.</summary>
    internal RedisKey JobsKey => _jobsKey;

    /// <summary>The journal entry of <paramref name="job"/>, as <see cref="Record"/> stores it.</summary>
    internal byte[] Encode(JobEnvelope job)
    {
        var entry = new JournalEntry(_codec.EncodeFrame(job.Dispatch), job.Node, job.NotNode, job.Deadline.ToUnixTimeMilliseconds());
        return MessagePackSerializer.Serialize(entry, Untrusted);
    }

    public void Forget(string jobId) => Observe(_db.HashDeleteAsync(_jobsKey, jobId), jobId);

    /// <summary>Moves a job from the journal to the results, in one transaction.</summary>
    public void Settle(string name, JobResult result, DateTimeOffset now)
    {
        var stored = new StoredResult(result.JobId, name, (int)result.Outcome, JobArgsSerializer.Serialize(result.Args), result.Error,
            now.ToUnixTimeMilliseconds());
        var tx = _db.CreateTransaction();
        _ = tx.HashDeleteAsync(_jobsKey, result.JobId);
        _ = tx.StringSetAsync(_resultPrefix + result.JobId, MessagePackSerializer.Serialize(stored, Untrusted), _retention);
        Observe(tx.ExecuteAsync(), result.JobId);
    }

    public async Task<JobResult?> GetResultAsync(string jobId)
    {
        var value = await _db.StringGetAsync(_resultPrefix + jobId).ConfigureAwait(false);
        if (value.IsNull)
        {
            return null;
        }
        var stored = MessagePackSerializer.Deserialize<StoredResult>((byte[])value!, Untrusted);
        return new JobResult(stored.JobId, (JobOutcome)stored.Outcome, JobArgsSerializer.Deserialize(stored.Args), stored.Error);
    }

    public async ValueTask DisposeAsync() => await _redis.DisposeAsync().ConfigureAwait(false);

    private void Observe(Task pending, string jobId) =>
        _ = pending.ContinueWith(t => LogWriteFailed(_logger, jobId, t.Exception!.GetBaseException().Message),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

    private static string Escape(string name) => Uri.EscapeDataString(name);

    [LoggerMessage(EventId = 500, Level = LogLevel.Error, Message = "Journal write for job {JobId} failed: {Reason}")]
    private static partial void LogWriteFailed(ILogger logger, string jobId, string reason);

    [LoggerMessage(EventId = 501, Level = LogLevel.Error, Message = "Skipped unreadable journal entry {JobId}: {Reason}")]
    private static partial void LogUnreadable(ILogger logger, string jobId, string reason);
}
