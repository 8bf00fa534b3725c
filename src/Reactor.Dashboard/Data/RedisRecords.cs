using MessagePack;
using Reactor.Distributor.Durability;
using Reactor.Protocol.Framing;
using Reactor.Storage.Redis;
using Reactor.Workflows;
using StackExchange.Redis;

namespace Reactor.Dashboard.Data;

/// <summary>
/// The Redis reads and writes the dashboard makes: node job records through their indexes (never a key
/// scan), the distributor journal's stored results and unsettled jobs, and raw strings. One connection,
/// made on first use and kept: it reconnects by itself after Redis comes back, and until then every
/// call throws <see cref="RedisException"/>, which the pages show as a banner.
/// </summary>
internal sealed class RedisRecords : IAsyncDisposable
{
    private static readonly MessagePackSerializerOptions Untrusted =
        MessagePackSerializerOptions.Standard.WithSecurity(MessagePackSecurity.UntrustedData);

    private readonly ConfigurationOptions _config;
    private readonly string _prefix;
    private readonly string _journal;
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private ConnectionMultiplexer? _redis;
    private RedisJobStore? _store;

    private readonly string _workflowPrefix;
    private readonly string _distributorName;
    private FlowReader? _flows;
    private WorkflowClient? _workflows;

    public RedisRecords(string address, string prefix, string distributorName, string workflowPrefix = "reactor:wf:")
    {
        _workflowPrefix = workflowPrefix;
        _distributorName = distributorName;
        _config = RedisAddress.Parse(address);
        // Keep trying in the background: the dashboard must recover when Redis returns.
        _config.AbortOnConnectFail = false;
        _prefix = prefix;
        // The journal's keys carry the distributor's name as a hash tag (DistributorKeys): {prefix}:dist:{name}:...
        _journal = $"{prefix}:dist:{{{Uri.EscapeDataString(distributorName)}}}";
        Endpoint = RedisAddress.Describe(_config);
    }

    public string Endpoint { get; }

    public async Task<RedisJobStore> StoreAsync(CancellationToken cancellationToken)
    {
        if (_store is { } ready)
        {
            return ready;
        }
        await _connecting.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_store is null)
            {
                _redis = await ConnectionMultiplexer.ConnectAsync(_config).ConfigureAwait(false);
                _store = new RedisJobStore(_redis, new RedisJobStoreOptions { KeyPrefix = _prefix });
            }
            return _store;
        }
        finally
        {
            _connecting.Release();
        }
    }

    /// <summary>The workflow store's client over the same connection.</summary>
    public async Task<WorkflowClient> WorkflowsAsync(CancellationToken cancellationToken)
    {
        await StoreAsync(cancellationToken).ConfigureAwait(false);
        return _workflows ??= WorkflowClient.Create(_redis!, _workflowPrefix);
    }

    /// <summary>The distributor's fork/join state over the same connection.</summary>
    public async Task<FlowReader> FlowsAsync(CancellationToken cancellationToken)
    {
        await StoreAsync(cancellationToken).ConfigureAwait(false);
        return _flows ??= FlowReader.Create(_redis!, _prefix, _distributorName);
    }

    private async Task<IDatabase> DatabaseAsync(CancellationToken cancellationToken)
    {
        await StoreAsync(cancellationToken).ConfigureAwait(false);
        return _redis!.GetDatabase();
    }

    public async Task<string?> ReadStringAsync(string key, CancellationToken cancellationToken)
    {
        var db = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        var value = await db.StringGetAsync(key).WaitAsync(cancellationToken).ConfigureAwait(false);
        return value.IsNull ? null : value.ToString();
    }

    /// <summary>The result the distributor journal keeps for <paramref name="jobId"/>, or null (none, expired, or unreadable).</summary>
    public async Task<StoredResult?> ResultAsync(string jobId, CancellationToken cancellationToken)
    {
        var db = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        var value = await db.StringGetAsync($"{_journal}:result:{jobId}").WaitAsync(cancellationToken).ConfigureAwait(false);
        if (value.IsNull)
        {
            return null;
        }
        try
        {
            return MessagePackSerializer.Deserialize<StoredResult>((byte[])value!, Untrusted);
        }
        catch (MessagePackSerializationException)
        {
            return null;
        }
    }

    /// <summary>True while the distributor journal holds <paramref name="jobId"/> as accepted and not settled.</summary>
    public async Task<bool> UnsettledAsync(string jobId, CancellationToken cancellationToken)
    {
        var db = await DatabaseAsync(cancellationToken).ConfigureAwait(false);
        return await db.HashExistsAsync($"{_journal}:jobs", jobId).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The args a stored result carries, or empty when they cannot be read.</summary>
    public static JobArgs ArgsOf(StoredResult result)
    {
        try
        {
            return JobArgsSerializer.Deserialize(result.Args);
        }
        catch (Exception e) when (e is MessagePackSerializationException or InvalidDataException)
        {
            return new JobArgs();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync().ConfigureAwait(false);
        }
        if (_redis is not null)
        {
            await _redis.DisposeAsync().ConfigureAwait(false);
        }
        _connecting.Dispose();
    }
}
