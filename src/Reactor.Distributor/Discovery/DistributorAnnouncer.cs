using Microsoft.Extensions.Logging;
using Reactor.Storage.Discovery;

namespace Reactor.Distributor.Discovery;

/// <summary>
/// Keeps a distributor's record in the <see cref="DistributorDirectory"/> alive: written at start,
/// renewed every third of the TTL (so two renewals can fail before nodes drop the distributor),
/// withdrawn on a graceful stop. A failed renewal is logged and tried again at the next tick.
/// </summary>
internal sealed partial class DistributorAnnouncer : IAsyncDisposable
{
    private readonly DistributorDirectory _directory;
    private readonly string _name;
    private readonly string _endpoint;
    private readonly string _id;
    private readonly TimeSpan _ttl;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private ITimer? _timer;
    private int _renewing;

    public DistributorAnnouncer(DistributorDirectory directory, string name, string endpoint, string id, TimeSpan ttl, TimeProvider time, ILogger logger)
    {
        _directory = directory;
        _name = name;
        _endpoint = endpoint;
        _id = id;
        _ttl = ttl;
        _time = time;
        _logger = logger;
    }

    /// <summary>Writes the record now (failing loudly if Redis refuses) and starts renewing it.</summary>
    public async Task StartAsync()
    {
        await RenewAsync().ConfigureAwait(false);
        var period = _ttl / 3;
        _timer = _time.CreateTimer(_ => _ = RenewSafelyAsync(), null, period, period);
        LogAnnounced(_logger, _name, _endpoint, _ttl.TotalSeconds);
    }

    private Task RenewAsync() => _directory.AnnounceAsync(new DistributorRecord(_name, _endpoint, _id, _time.GetUtcNow() + _ttl));

    private async Task RenewSafelyAsync()
    {
        // A slow Redis must not pile up renewals.
        if (Interlocked.Exchange(ref _renewing, 1) == 1)
        {
            return;
        }
        try
        {
            await RenewAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogRenewFailed(_logger, _name, e.Message);
        }
        finally
        {
            Volatile.Write(ref _renewing, 0);
        }
    }

    /// <summary>Stops renewing and removes the record, so nodes drop this distributor at their next look.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_timer is null)
        {
            return;
        }
        await _timer.DisposeAsync().ConfigureAwait(false);
        _timer = null;
        try
        {
            await _directory.WithdrawAsync(_name, _id).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The record expires by itself within the TTL.
            LogRenewFailed(_logger, _name, e.Message);
        }
    }

    [LoggerMessage(EventId = 520, Level = LogLevel.Information, Message = "Distributor {Name} announced at {Endpoint} for discovery (TTL {TtlSeconds} s)")]
    private static partial void LogAnnounced(ILogger logger, string name, string endpoint, double ttlSeconds);

    [LoggerMessage(EventId = 521, Level = LogLevel.Warning, Message = "Renewing or withdrawing the discovery record of distributor {Name} failed: {Reason}")]
    private static partial void LogRenewFailed(ILogger logger, string name, string reason);
}
