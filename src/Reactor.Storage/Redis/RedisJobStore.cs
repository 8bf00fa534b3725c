using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Reactor.Storage.Redis;

/// <summary>
/// Keeps job records in Redis under the layout described on <see cref="RedisKeys"/>, so they survive a
/// node restart and several nodes can share one server. Every write is one transaction, so a record is
/// always in its node's index and a refused write (out of memory, lost connection) leaves the previous
/// state. Index entries left behind by racing writers or by expiry are skipped and removed by readers;
/// records that cannot be read are logged and skipped.
/// </summary>
public sealed partial class RedisJobStore : IJobStore
{
    private const string NodeField = "node";

    private readonly IConnectionMultiplexer _redis;
    private readonly IDatabase _db;
    private readonly RedisJobStoreOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly bool _ownsConnection;
    private readonly string _endpoint;

    /// <summary>
    /// Uses an existing connection, which stays the caller's to dispose. Throws
    /// <see cref="ArgumentException"/> for invalid <paramref name="options"/>.
    /// </summary>
    public RedisJobStore(
        IConnectionMultiplexer redis,
        RedisJobStoreOptions? options = null,
        ILogger? logger = null,
        TimeProvider? timeProvider = null)
        : this(redis, options ?? new RedisJobStoreOptions(), logger, timeProvider, ownsConnection: false)
    {
    }

    private RedisJobStore(
        IConnectionMultiplexer redis, RedisJobStoreOptions options, ILogger? logger, TimeProvider? timeProvider, bool ownsConnection)
    {
        ArgumentNullException.ThrowIfNull(redis);
        RedisJobStoreOptionsValidator.ThrowIfInvalid(options);
        _redis = redis;
        _db = redis.GetDatabase();
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
        _ownsConnection = ownsConnection;
        _endpoint = string.Join(",", redis.GetEndPoints().Select(EndPointCollection.ToString));
        Keys = new RedisKeys(options.KeyPrefix);
        _redis.ConnectionFailed += OnConnectionFailed;
        _redis.ConnectionRestored += OnConnectionRestored;
    }

    /// <inheritdoc />
    public string Kind => "redis";

    /// <inheritdoc />
    public bool IsDurable => true;

    /// <summary>The key layout in use.</summary>
    public RedisKeys Keys { get; }

    /// <summary>The database, for monitor reads outside the job layout.</summary>
    internal IDatabase Database => _db;

    /// <inheritdoc />
    public async ValueTask PingAsync(CancellationToken cancellationToken = default) =>
        await _db.PingAsync().WaitAsync(cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async ValueTask<JobRecord?> LoadAsync(string id, CancellationToken cancellationToken = default)
    {
        var entries = await _db.HashGetAllAsync(Keys.Job(id)).WaitAsync(cancellationToken).ConfigureAwait(false);
        return entries.Length == 0 ? null : TryRead(id, entries);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _redis.ConnectionFailed -= OnConnectionFailed;
        _redis.ConnectionRestored -= OnConnectionRestored;
        if (_ownsConnection)
        {
            await _redis.CloseAsync().ConfigureAwait(false);
            _redis.Dispose();
        }
    }

    /// <summary>The record, or null (after logging why) when it cannot be read.</summary>
    private JobRecord? TryRead(string id, HashEntry[] entries)
    {
        try
        {
            var record = RedisRecordFormat.Read(id, entries, out var newerVersion);
            if (newerVersion is { } version)
            {
                LogNewerFormat(_logger, id, Keys.Job(id).ToString(), version, JobRecord.CurrentFormatVersion);
            }
            return record;
        }
        catch (InvalidDataException e)
        {
            LogUnreadable(_logger, id, Keys.Job(id).ToString(), e.Message);
        }
        return null;
    }

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e) =>
        LogConnectionFailed(_logger, EndPointCollection.ToString(e.EndPoint), e.FailureType, e.Exception?.Message);

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e) =>
        LogConnectionRestored(_logger, EndPointCollection.ToString(e.EndPoint));
}
