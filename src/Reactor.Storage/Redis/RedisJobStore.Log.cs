using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Reactor.Storage.Redis;

// Event ids and names are part of the operator interface (alerts match on them): never renumber.
public sealed partial class RedisJobStore
{
    [LoggerMessage(EventId = 1, EventName = "UnreadableJobRecord", Level = LogLevel.Error,
        Message = "Skipped job {JobId}: the record at {Key} cannot be read ({Reason}). Inspect or destroy it by hand.")]
    private static partial void LogUnreadable(ILogger logger, string jobId, string key, string reason);

    [LoggerMessage(EventId = 2, EventName = "NewerJobRecordFormat", Level = LogLevel.Error,
        Message = "Skipped job {JobId}: the record at {Key} has format version {Version}, newer than this build's {Supported}. " +
                  "A newer Reactor wrote it; let a node of that version run it.")]
    private static partial void LogNewerFormat(ILogger logger, string jobId, string key, int version, int supported);

    [LoggerMessage(EventId = 3, EventName = "RedisConnectionFailed", Level = LogLevel.Warning,
        Message = "Lost the connection to Redis at {Endpoint} ({FailureType}: {Reason}); retrying in the background")]
    private static partial void LogConnectionFailed(ILogger logger, string endpoint, ConnectionFailureType failureType, string? reason);

    [LoggerMessage(EventId = 4, EventName = "RedisConnectionRestored", Level = LogLevel.Information,
        Message = "Reconnected to Redis at {Endpoint}")]
    private static partial void LogConnectionRestored(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 5, EventName = "RedisDeleteConflict", Level = LogLevel.Debug,
        Message = "Job {JobId} changed while it was being deleted (attempt {Attempt}); trying again")]
    private static partial void LogWriteConflict(ILogger logger, string jobId, int attempt);

    [LoggerMessage(EventId = 6, EventName = "JobIndexCleanupFailed", Level = LogLevel.Warning,
        Message = "Could not remove stale entries from the job index of node {Node}: {Reason}. The next read retries.")]
    private static partial void LogIndexCleanupFailed(ILogger logger, string node, string reason);
}
