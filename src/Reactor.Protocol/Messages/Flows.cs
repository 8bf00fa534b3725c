using MessagePack;

namespace Reactor.Protocol.Messages;

/// <summary>What a <see cref="Publish"/> asks the distributor to do.</summary>
public enum PublishKind
{
    /// <summary>Schedule the task <see cref="Publish.Name"/> once (a fork).</summary>
    Next = 0,
    /// <summary>Record the event <see cref="Publish.Name"/> and fire every trigger it completes.</summary>
    Event = 1,
    /// <summary>Register a trigger: run <see cref="Publish.Name"/> once when all of <see cref="Publish.Events"/> were emitted.</summary>
    Trigger = 2,
}

/// <summary>
/// Job code published a next task, an event or a trigger while job <see cref="ParentJobId"/> runs.
/// <see cref="Index"/> counts the publishes of one attempt from zero, so a re-run of the parent
/// publishes the same indices again; the distributor derives the child's id from
/// (<see cref="ParentJobId"/>, <see cref="Index"/>) and claims it, which makes scheduling exactly once.
/// </summary>
[MessagePackObject]
public sealed record Publish(
    [property: Key(0)] string ParentJobId,
    [property: Key(1)] int Index,
    [property: Key(2)] PublishKind Kind,
    [property: Key(3)] string Name,
    [property: Key(4)] JobArgs Data,
    [property: Key(5)] long DelayMs,
    [property: Key(6)] string[] Events,
    [property: Key(7)] bool Global) : IReactorMessage
{
    /// <summary>
    /// The W3C <c>traceparent</c> of the publishing job's current span (wire key 8, optional and trailing like
    /// <see cref="Dispatch.TraceParent"/>): the scheduled task's spans join that trace. Ignored when invalid.
    /// </summary>
    [IgnoreMember]
    public string? TraceParent { get; init; }

    /// <summary>The <c>tracestate</c> that goes with <see cref="TraceParent"/> (wire key 9), or null.</summary>
    [IgnoreMember]
    public string? TraceState { get; init; }
}
