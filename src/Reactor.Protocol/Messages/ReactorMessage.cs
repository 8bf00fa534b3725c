using MessagePack;

namespace Reactor.Protocol.Messages;

/// <summary>
/// Every frame body is one of these, written as the MessagePack array <c>[type, [fields...]]</c>.
/// Type codes and field keys are part of the wire format: never renumber them, only add.
/// </summary>
[Union(MessageType.Greeting, typeof(Greeting))]
[Union(MessageType.Hello, typeof(Hello))]
[Union(MessageType.Welcome, typeof(Welcome))]
[Union(MessageType.Reject, typeof(Reject))]
[Union(MessageType.Dispatch, typeof(Dispatch))]
[Union(MessageType.Result, typeof(Result))]
[Union(MessageType.Credit, typeof(Credit))]
[Union(MessageType.Cancel, typeof(Cancel))]
[Union(MessageType.Heartbeat, typeof(Heartbeat))]
[Union(MessageType.Goodbye, typeof(Goodbye))]
[Union(MessageType.ResultAck, typeof(ResultAck))]
[Union(MessageType.Publish, typeof(Publish))]
[Union(MessageType.Progress, typeof(Progress))]
[Union(MessageType.DispatchBatch, typeof(DispatchBatch))]
[Union(MessageType.ResultAckRange, typeof(ResultAckRange))]
public interface IReactorMessage
{
}

/// <summary>The type codes of <see cref="IReactorMessage"/> (the first element of every frame body).</summary>
public static class MessageType
{
    /// <summary>Distributor → node, first frame on a connection.</summary>
    public const int Greeting = 0;
    /// <summary>Node → distributor, the node's answer to the greeting.</summary>
    public const int Hello = 1;
    /// <summary>Distributor → node, handshake accepted.</summary>
    public const int Welcome = 2;
    /// <summary>Distributor → node, handshake refused; the connection closes after it.</summary>
    public const int Reject = 3;
    /// <summary>Distributor → node, a job to run.</summary>
    public const int Dispatch = 4;
    /// <summary>Node → distributor, a job's outcome (one per periodic run, one final).</summary>
    public const int Result = 5;
    /// <summary>Node → distributor, permission to send more jobs.</summary>
    public const int Credit = 6;
    /// <summary>Distributor → node, cancel a job.</summary>
    public const int Cancel = 7;
    /// <summary>Either way, liveness.</summary>
    public const int Heartbeat = 8;
    /// <summary>Either way, a clean close is coming.</summary>
    public const int Goodbye = 9;
    /// <summary>Distributor → node, a final result was recorded; the node may forget it.</summary>
    public const int ResultAck = 10;
    /// <summary>Node → distributor, job code published a next task, an event or a trigger.</summary>
    public const int Publish = 11;
    /// <summary>Node → distributor, job code reported its progress.</summary>
    public const int Progress = 12;
    /// <summary>Distributor → node, several jobs to run, in order (protocol version 3; see <see cref="Messages.DispatchBatch"/>).</summary>
    public const int DispatchBatch = 13;

    /// <summary>
    /// Distributor → node (protocol version 3), final results recorded, named by their running number on the
    /// connection instead of one <see cref="ResultAck"/> per job.
    /// </summary>
    public const int ResultAckRange = 14;
}
