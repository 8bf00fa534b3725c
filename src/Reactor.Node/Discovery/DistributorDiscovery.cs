using Microsoft.Extensions.Logging;
using Reactor.Node.Links;
using Reactor.Storage.Discovery;
using Reactor.Storage.Redis;
using StackExchange.Redis;

namespace Reactor.Node.Discovery;

/// <summary>
/// Reads the <see cref="DistributorDirectory"/> every interval and makes the node's discovered links
/// match it: a link to every live distributor, none to one whose record was withdrawn or expired.
/// A record naming an address that does not answer costs only its link's reconnect backoff until the
/// record expires. When Redis itself cannot be read the links stay as they are (a Redis outage must
/// not cut the node off from working distributors) and the read is tried again at the next tick.
/// </summary>
internal sealed partial class DistributorDiscovery : IAsyncDisposable
{
    private readonly string _address;
    private readonly string _prefix;
    private readonly TimeSpan _interval;
    private readonly IDiscoveredLinks _links;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly HashSet<string> _current = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _reportedBad = new(StringComparer.Ordinal);
    private Task? _loop;

    public DistributorDiscovery(string address, string prefix, TimeSpan interval, IDiscoveredLinks links, TimeProvider time, ILogger logger)
    {
        _address = address;
        _prefix = prefix;
        _interval = interval;
        _links = links;
        _time = time;
        _logger = logger;
    }

    public void Start() => _loop = Task.Run(RunAsync);

    private async Task RunAsync()
    {
        ConnectionMultiplexer? redis = null;
        try
        {
            redis = await RedisRetry.UntilConnectedAsync(
                token => RedisJobStore.ConnectMultiplexerAsync(RedisAddress.Parse(_address), token),
                (reason, delay) => LogUnavailable(_logger, reason, delay.TotalSeconds),
                _time, _stopping.Token).ConfigureAwait(false);
            var directory = new DistributorDirectory(redis.GetDatabase(), _prefix);
            LogStarted(_logger, RedisAddress.Describe(RedisAddress.Parse(_address)), directory.Key.ToString());
            while (!_stopping.IsCancellationRequested)
            {
                await SyncAsync(directory).ConfigureAwait(false);
                await Task.Delay(_interval, _time, _stopping.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        finally
        {
            if (redis is not null)
            {
                await redis.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>One look at the directory; public to the class's tests through <see cref="RunAsync"/> only.</summary>
    private async Task SyncAsync(DistributorDirectory directory)
    {
        IReadOnlyList<DistributorRecord> live;
        try
        {
            live = await directory.LiveAsync(_time.GetUtcNow()).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            LogReadFailed(_logger, e.Message);
            return;
        }
        var wanted = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var record in live)
        {
            if (DistributorAddress.TryParse(record.Endpoint, out var endpoint))
            {
                wanted.Add(endpoint.ToString());
            }
            else if (_reportedBad.Add(record.Name + "\n" + record.Endpoint))
            {
                LogBadEndpoint(_logger, record.Name, record.Endpoint);
            }
        }
        foreach (var endpoint in wanted.Where(e => !_current.Contains(e)).ToList())
        {
            _current.Add(endpoint);
            if (_links.AddLink(endpoint))
            {
                LogJoined(_logger, endpoint);
            }
        }
        foreach (var endpoint in _current.Where(e => !wanted.Contains(e)).ToList())
        {
            _current.Remove(endpoint);
            await _links.RemoveLinkAsync(endpoint).ConfigureAwait(false);
            LogDropped(_logger, endpoint);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }
        _stopping.Dispose();
    }

    [LoggerMessage(EventId = 60, Level = LogLevel.Information, Message = "Discovering distributors in Redis at {Endpoint} ({Key})")]
    private static partial void LogStarted(ILogger logger, string endpoint, string key);

    [LoggerMessage(EventId = 61, Level = LogLevel.Information, Message = "Discovered distributor at {Endpoint}; connecting")]
    private static partial void LogJoined(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 62, Level = LogLevel.Information, Message = "Distributor at {Endpoint} is no longer announced; link closed")]
    private static partial void LogDropped(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 63, Level = LogLevel.Warning, Message = "Reading the discovery directory failed ({Reason}); keeping the current links")]
    private static partial void LogReadFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 64, Level = LogLevel.Warning, Message = "Distributor {Name} announced '{Endpoint}', which is not host:port; skipped")]
    private static partial void LogBadEndpoint(ILogger logger, string name, string endpoint);

    [LoggerMessage(EventId = 65, Level = LogLevel.Warning, Message = "Discovery Redis unavailable ({Reason}); retrying in {DelaySeconds} s")]
    private static partial void LogUnavailable(ILogger logger, string reason, double delaySeconds);
}
