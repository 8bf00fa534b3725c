using Reactor.Protocol.Messages;

namespace Reactor.Node.Links;

/// <summary>What a link reports to its node. Called on the link's I/O thread; implementations hop to the reactor loop.</summary>
internal interface ILinkHandler
{
    void OnDispatch(DistributorLink link, int generation, Dispatch dispatch);

    /// <summary>The jobs of one <c>DispatchBatch</c>, in order, as if each had come alone.</summary>
    void OnDispatches(DistributorLink link, int generation, IReadOnlyList<Dispatch> dispatches);

    void OnCancel(DistributorLink link, Cancel cancel);

    void OnDisconnected(DistributorLink link, int generation);

    /// <summary>The handshake succeeded; called before the first message of the connection is read.</summary>
    void OnConnected(DistributorLink link, int generation);

    /// <summary>The distributor recorded a final result: the node may forget it.</summary>
    void OnResultAck(DistributorLink link, ResultAck ack);

    /// <summary>
    /// The distributor recorded the final results of <paramref name="jobIds"/> (a <c>ResultAckRange</c> on a
    /// version 3 connection, mapped back to ids by the link): the node may forget them. The list is the handler's.
    /// </summary>
    void OnResultsAcknowledged(DistributorLink link, List<string> jobIds);

    /// <summary>
    /// True while the node takes no new work: the link keeps counting the credit it owes but sends none
    /// (the node's job-record writes are at their bound). The node calls <see cref="DistributorLink.FlushCredit"/>
    /// once this turns false.
    /// </summary>
    bool WithholdCredit { get; }
}

/// <summary>What a link says about its node in the handshake.</summary>
internal sealed record NodeIdentity(string Name, int Capacity, IReadOnlyCollection<string> JobNames, string StorageKind, string? Secret);
