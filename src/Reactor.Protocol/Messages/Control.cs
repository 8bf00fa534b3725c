using MessagePack;

namespace Reactor.Protocol.Messages;

/// <summary>Liveness; carries nothing. A peer silent for three intervals is dropped.</summary>
[MessagePackObject]
public sealed record Heartbeat : IReactorMessage
{
    /// <summary>Heartbeats carry no state, so one instance serves every send.</summary>
    public static readonly Heartbeat Instance = new();
}

/// <summary>The sender is closing on purpose (shutdown, rejected peer, protocol error).</summary>
[MessagePackObject]
public sealed record Goodbye([property: Key(0)] string Reason) : IReactorMessage;
