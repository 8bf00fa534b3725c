using Microsoft.Extensions.Logging;

namespace Reactor;

public sealed partial class ReactorNode
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Node {Node} started: {JobCount} jobs, {Storage} storage, distributors {Distributors}")]
    private static partial void LogStarted(ILogger logger, string node, int jobCount, string storage, string distributors);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Node {Node} stopped")]
    private static partial void LogStopped(ILogger logger, string node);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Job {Name} {JobId} attempt {Attempt} started")]
    private static partial void LogJobStarted(ILogger logger, string name, string jobId, int attempt);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Job {Name} {JobId}: {Outcome} in {DurationMs} ms")]
    private static partial void LogJobFinished(ILogger logger, string name, string jobId, string outcome, double durationMs);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Job {Name} {JobId} attempt {Attempt} failed: {Error}")]
    private static partial void LogJobFailed(ILogger logger, string name, string jobId, int attempt, string error);

    [LoggerMessage(EventId = 6, Level = LogLevel.Error, Message = "Errback {Errback} of job {Name} {JobId} threw")]
    private static partial void LogErrbackFailed(ILogger logger, string errback, string name, string jobId, Exception exception);

    [LoggerMessage(EventId = 7, Level = LogLevel.Error, Message = "Unhandled error on the reactor loop")]
    private static partial void LogLoopError(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "Dropped {Count} waiting jobs from lost distributor {Address}; it dispatches them again")]
    private static partial void LogAbandoned(ILogger logger, int count, string address);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Resumed {Count} unfinished jobs of node {Node} from storage")]
    private static partial void LogResumed(ILogger logger, int count, string node);

    [LoggerMessage(EventId = 11, Level = LogLevel.Error, Message = "Job storage unavailable: {Reason}; retrying in {Delay}")]
    private static partial void LogStorageUnavailable(ILogger logger, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 12, Level = LogLevel.Information, Message = "Job {Name} {JobId} was sent again by distributor {Address}; the copy held here continues for it")]
    private static partial void LogAdopted(ILogger logger, string name, string jobId, string address);

    [LoggerMessage(EventId = 13, Level = LogLevel.Warning, Message = "Job {Name} {JobId} attempt {Attempt} failed after its connection dropped; not reported, the distributor's new dispatch decides: {Error}")]
    private static partial void LogSuperseded(ILogger logger, string name, string jobId, int attempt, string error);

    [LoggerMessage(EventId = 14, Level = LogLevel.Warning, Message = "Job {Name} {JobId} attempt {Attempt} published on a connection that is gone; its outcome is void")]
    private static partial void LogAttemptVoid(ILogger logger, string name, string jobId, int attempt);

    [LoggerMessage(EventId = 9, Level = LogLevel.Error, Message = "Job storage operation failed")]
    private static partial void LogStoreFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 30, Level = LogLevel.Error, Message = "Job {Name} {JobId} held the reactor loop for {Held} (limit {Limit}); failed it, abandoned blocked thread {ThreadId} and moved the loop to a fresh thread. Blocking work must use Defer")]
    private static partial void LogJobBlockedLoop(ILogger logger, string name, string jobId, TimeSpan held, TimeSpan limit, int threadId);

    [LoggerMessage(EventId = 31, Level = LogLevel.Error, Message = "Reactor loop stuck for {Held} in {Where}; abandoned thread {ThreadId}, moved the loop to a fresh thread and dropped the links so the distributor sends this node's jobs elsewhere")]
    private static partial void LogLoopStalled(ILogger logger, TimeSpan held, int threadId, string where);

    [LoggerMessage(EventId = 40, Level = LogLevel.Debug, Message = "Job {Name} {JobId} carried a trace context that does not parse; its span starts a new trace")]
    private static partial void LogTraceContextIgnored(ILogger logger, string name, string jobId);
}
