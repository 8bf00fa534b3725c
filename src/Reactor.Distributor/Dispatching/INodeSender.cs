using Reactor.Protocol.Messages;

namespace Reactor.Distributor;

/// <summary>
/// The dispatcher's only way to a node: what it sends, and what the snapshot shows of the connection.
/// Implemented by the node's session; a fake in unit tests. Every member is called under the
/// dispatcher's lock, so none may block or call back into the dispatcher (a queue write is the norm).
/// </summary>
internal interface INodeSender
{
    /// <summary>The peer's address, for the snapshot and logs.</summary>
    string Remote { get; }

    /// <summary>When the last frame of any kind arrived from the node (heartbeats included).</summary>
    DateTimeOffset LastReceived { get; }

    /// <summary>Queues a job for the node.</summary>
    void Dispatch(Dispatch dispatch);

    /// <summary>Asks the node to cancel a job it holds.</summary>
    void Cancel(string jobId);
}
