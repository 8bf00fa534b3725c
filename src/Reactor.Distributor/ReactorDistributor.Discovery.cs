using System.Net;
using Reactor.Distributor.Discovery;
using Reactor.Storage.Discovery;

namespace Reactor;

// Announcing this distributor in Redis for nodes that discover distributors (DistributorOptions.Announce).
public sealed partial class ReactorDistributor
{
    private DistributorAnnouncer? _announcer;

    /// <summary>The address announced for discovery: the configured one, else the listener's (host name for a wildcard host).</summary>
    internal string AnnouncedEndpoint => _options.AnnounceEndpoint
        ?? (IPAddress.TryParse(_options.Host, out var ip) && (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any))
            ? $"{Dns.GetHostName()}:{Port}"
            : Endpoint);

    private async Task StartAnnouncingAsync()
    {
        if (!_options.Announce || _journal is null)
        {
            return;
        }
        var directory = new DistributorDirectory(_journal.Database, _options.KeyPrefix);
        // A token per start, not the durable Id (the same after a restart): a stopping instance must
        // not withdraw the record its successor under the same name already wrote.
        var announcer = new DistributorAnnouncer(directory, _options.Name, AnnouncedEndpoint, Guid.NewGuid().ToString("N"),
            _options.AnnounceTtl, _time, _logger);
        await announcer.StartAsync().ConfigureAwait(false);
        _announcer = announcer;
    }

    private async Task StopAnnouncingAsync()
    {
        if (Interlocked.Exchange(ref _announcer, null) is { } announcer)
        {
            await announcer.DisposeAsync().ConfigureAwait(false);
        }
    }
}
