using MessagePack;

namespace Reactor.Protocol.Messages;

/// <summary>
/// Several jobs for the node in one frame (protocol version 3): each entry is exactly the body of a
/// <see cref="Dispatch"/> frame, and the node handles them in order, as if each had come alone. A
/// distributor sends it only on a connection that agreed on version 3 or later
/// (<see cref="ProtocolLimits.DispatchBatchVersion"/>), when several jobs for one node are queued at once;
/// older nodes get one Dispatch frame per job. Every entry counts against the node's credit like a
/// Dispatch. An empty list, or an entry that is not a valid Dispatch, is a protocol violation.
/// </summary>
[MessagePackObject]
public sealed record DispatchBatch([property: Key(0)] IReadOnlyList<Dispatch> Jobs) : IReactorMessage;
