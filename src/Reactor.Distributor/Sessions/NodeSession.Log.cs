using Microsoft.Extensions.Logging;

namespace Reactor.Distributor.Sessions;

internal sealed partial class NodeSession
{
    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Node {Node} joined from {Remote}: {JobCount} jobs, capacity {Capacity}, {Storage} storage")]
    private static partial void LogNodeJoined(ILogger logger, string node, string remote, int jobCount, int capacity, string storage);

    [LoggerMessage(EventId = 201, Level = LogLevel.Warning, Message = "Refused {Remote}: {Reason}")]
    private static partial void LogRejected(ILogger logger, string remote, string reason);

    [LoggerMessage(EventId = 202, Level = LogLevel.Warning, Message = "Dropped {Peer}: protocol violation: {Reason}")]
    private static partial void LogProtocolError(ILogger logger, string peer, string reason);

    [LoggerMessage(EventId = 203, Level = LogLevel.Warning, Message = "Lost {Peer}: {Reason}")]
    private static partial void LogConnectionLost(ILogger logger, string peer, string reason);

    [LoggerMessage(EventId = 204, Level = LogLevel.Warning, Message = "Peer {Remote} did not complete the handshake within {Timeout}; dropped")]
    private static partial void LogHandshakeTimeout(ILogger logger, string remote, TimeSpan timeout);

    [LoggerMessage(EventId = 205, Level = LogLevel.Information, Message = "Node {Node} left")]
    private static partial void LogNodeLeft(ILogger logger, string node);

    [LoggerMessage(EventId = 206, Level = LogLevel.Information, Message = "Node {Node} is leaving: {Reason}")]
    private static partial void LogNodeGoodbye(ILogger logger, string node, string reason);

    [LoggerMessage(EventId = 207, Level = LogLevel.Warning, Message = "Node {Node} was silent for three heartbeats; dropped")]
    private static partial void LogSilent(ILogger logger, string node);

    [LoggerMessage(EventId = 208, Level = LogLevel.Warning, Message = "Node {Node} left holding {Count} unfinished jobs; dispatched them again")]
    private static partial void LogRedispatched(ILogger logger, string node, int count);

    [LoggerMessage(EventId = 210, Level = LogLevel.Error, Message = "Dropped {Peer}: unexpected error")]
    private static partial void LogSessionFailed(ILogger logger, string peer, Exception error);

    [LoggerMessage(EventId = 211, Level = LogLevel.Error, Message = "Could not send {Message} to {Peer}: {Reason}")]
    private static partial void LogUnsendable(ILogger logger, string peer, string message, string reason);

    [LoggerMessage(EventId = 231, Level = LogLevel.Warning, Message = "Ignored a failure of job {JobId} from node {Node}: the job was sent to another node since")]
    private static partial void LogStaleFailure(ILogger logger, string jobId, string node);

    [LoggerMessage(EventId = 230, Level = LogLevel.Error, Message = "Job {Name} {JobId} failed: {Losses} nodes were lost while running it (MaxDispatches); not dispatched again")]
    private static partial void LogDispatchesExhausted(ILogger logger, string name, string jobId, int losses);
}
