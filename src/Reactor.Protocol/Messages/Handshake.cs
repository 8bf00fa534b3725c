using MessagePack;

namespace Reactor.Protocol.Messages;

/// <summary>First frame on every connection, sent by the distributor as soon as it accepts.</summary>
[MessagePackObject]
public sealed record Greeting(
    [property: Key(0)] int ProtocolVersion,
    [property: Key(1)] string DistributorId,
    [property: Key(2)] byte[] Nonce,
    [property: Key(3)] bool SecretRequired) : IReactorMessage;

/// <summary>The node introduces itself: who it is, how many jobs it takes at once, which jobs it can run.</summary>
[MessagePackObject]
public sealed record Hello(
    [property: Key(0)] int ProtocolVersion,
    [property: Key(1)] string NodeName,
    [property: Key(2)] int Capacity,
    [property: Key(3)] string[] JobNames,
    [property: Key(4)] string StorageKind,
    [property: Key(5)] byte[]? AuthProof) : IReactorMessage;

/// <summary>The handshake succeeded; <see cref="HeartbeatIntervalMs"/> applies to both sides.</summary>
[MessagePackObject]
public sealed record Welcome(
    [property: Key(0)] string DistributorId,
    [property: Key(1)] int HeartbeatIntervalMs) : IReactorMessage;

/// <summary>The handshake failed; the distributor closes the connection after this frame.</summary>
[MessagePackObject]
public sealed record Reject([property: Key(0)] string Reason) : IReactorMessage;
