using MessagePack;

namespace Reactor.Protocol.Messages;

/// <summary>
/// First frame on every connection, sent by the distributor as soon as it accepts. It speaks every protocol
/// version from <see cref="ProtocolVersion"/> to <see cref="MaxProtocolVersion"/>; the node answers with the
/// newest it speaks too (<see cref="ProtocolLimits.Negotiate"/>). A version 1 node reads only the lowest
/// (and ignores the extra field), so a newer distributor keeps it at 1 while it still speaks version 1.
/// </summary>
[MessagePackObject]
public sealed record Greeting(
    [property: Key(0)] int ProtocolVersion,
    [property: Key(1)] string DistributorId,
    [property: Key(2)] byte[] Nonce,
    [property: Key(3)] bool SecretRequired,
    [property: Key(4)] int MaxProtocolVersion = 0) : IReactorMessage
{
    /// <summary>A greeting for this build: every version from <see cref="ProtocolLimits.OldestVersion"/> to <see cref="ProtocolLimits.CurrentVersion"/>.</summary>
    public static Greeting ForThisBuild(string distributorId, byte[] nonce, bool secretRequired) =>
        new(ProtocolLimits.OldestVersion, distributorId, nonce, secretRequired, ProtocolLimits.CurrentVersion);
}

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
