using Microsoft.Extensions.Logging;

namespace Reactor;

public sealed partial class ReactorDistributor
{
    [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "Distributor listening on {Host}:{Port} (id {Id})")]
    private static partial void LogListening(ILogger logger, string host, int port, string id);

    [LoggerMessage(EventId = 401, Level = LogLevel.Warning, Message = "Accepting a connection failed: {Reason}")]
    private static partial void LogAcceptFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 410, Level = LogLevel.Warning, Message = "Job {Name} is not known to any connected node (known job names: {Known}); it waits for a node that announces it and fails after {Timeout} (UnknownJobTimeout)")]
    private static partial void LogUnknownJob(ILogger logger, string name, string known, TimeSpan timeout);

    [LoggerMessage(EventId = 411, Level = LogLevel.Error, Message = "Job {Name} {JobId} failed: {Error}")]
    private static partial void LogUnknownJobFailed(ILogger logger, string name, string jobId, string error);

    [LoggerMessage(EventId = 412, Level = LogLevel.Warning, Message = "{Count} jobs are waiting and no node is connected; start nodes with --distributor {Endpoint}")]
    private static partial void LogPendingWithoutNodes(ILogger logger, int count, string endpoint);
}
