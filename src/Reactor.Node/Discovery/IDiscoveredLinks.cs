namespace Reactor.Node.Discovery;

/// <summary>What discovery changes on a node: the set of distributor links beyond the static ones.</summary>
internal interface IDiscoveredLinks
{
    /// <summary>Starts a link to <paramref name="address"/> (<c>host:port</c>) unless the node already has one; true when added.</summary>
    bool AddLink(string address);

    /// <summary>Closes and forgets the discovered link to <paramref name="address"/>; static links and unknown addresses are left alone.</summary>
    Task RemoveLinkAsync(string address);
}
