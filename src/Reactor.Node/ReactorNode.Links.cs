using Microsoft.Extensions.Logging;
using Reactor.Node.Discovery;
using Reactor.Node.Links;
using Reactor.Protocol.Framing;

namespace Reactor;

// Links added and removed while the node runs, by distributor discovery (NodeOptions.Discover).
// Static links (NodeOptions.Distributors) are made at start and never removed here.
public sealed partial class ReactorNode : IDiscoveredLinks
{
    private readonly Lock _linksGate = new();
    private readonly Dictionary<string, (DistributorLink Link, CancellationTokenSource Stop)> _discovered = new(StringComparer.OrdinalIgnoreCase);
    private NodeIdentity? _identity;
    private MessageCodec? _codec;
    private DistributorDiscovery? _discovery;

    /// <summary>Addresses of every link now, static and discovered (for tests and health).</summary>
    internal IReadOnlyList<string> LinkAddresses => [.. _links.Select(l => l.Address.ToString())];

    /// <inheritdoc />
    bool IDiscoveredLinks.AddLink(string address)
    {
        var parsed = DistributorAddress.Parse(address);
        lock (_linksGate)
        {
            if (_draining || _identity is null || _links.Any(l => l.Address.ToString().Equals(parsed.ToString(), StringComparison.OrdinalIgnoreCase)))
            {
                return false;
            }
            var link = new DistributorLink(parsed, _identity, _linkHandler, _codec!, _options, _time, _loggerFactory.CreateLogger("Reactor.Node.Link"));
            var stop = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            _discovered[parsed.ToString()] = (link, stop);
            _links = [.. _links, link];
            _linkTasks.Add(Task.Run(() => link.RunAsync(stop.Token), CancellationToken.None));
            return true;
        }
    }

    /// <inheritdoc />
    async Task IDiscoveredLinks.RemoveLinkAsync(string address)
    {
        var key = DistributorAddress.Parse(address).ToString();
        DistributorLink link;
        CancellationTokenSource stop;
        lock (_linksGate)
        {
            if (!_discovered.Remove(key, out var entry))
            {
                return;
            }
            (link, stop) = entry;
            _links = [.. _links.Where(l => l != link)];
        }
        // The distributor is gone or leaving: say goodbye if the connection is still up, then stop redialling.
        await link.CloseAsync("distributor no longer announced").ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        stop.Dispose();
    }

    private void StartDiscovery()
    {
        if (_options.Discover is not { } address)
        {
            return;
        }
        _discovery = new DistributorDiscovery(address, _options.DiscoverKeyPrefix, _options.DiscoveryInterval, this, _time,
            _loggerFactory.CreateLogger("Reactor.Node.Discovery"));
        _discovery.Start();
    }

    private async Task StopDiscoveryAsync()
    {
        if (Interlocked.Exchange(ref _discovery, null) is { } discovery)
        {
            await discovery.DisposeAsync().ConfigureAwait(false);
        }
    }
}
