using Microsoft.Extensions.Logging;

namespace Reactor.Workflows;

public sealed partial class WorkflowEngine
{
    [LoggerMessage(EventId = 920, Level = LogLevel.Information, Message = "Workflow engine {Engine} started with {Count} workflows (state: {Store}, events: {Events})")]
    private static partial void LogStarted(ILogger logger, string engine, int count, string store, string events);

    [LoggerMessage(EventId = 921, Level = LogLevel.Debug, Message = "Workflow {Id}: task {Task} result {Result}")]
    private static partial void LogTaskResult(ILogger logger, string id, string task, string result);

    [LoggerMessage(EventId = 922, Level = LogLevel.Warning, Message = "Workflow {Id}: step {Step} failed: {Error}")]
    private static partial void LogStepFailed(ILogger logger, string id, string step, string error);

    [LoggerMessage(EventId = 923, Level = LogLevel.Information, Message = "Workflow {Id} adopted from engine {Owner}")]
    private static partial void LogAdopted(ILogger logger, string id, string owner);

    [LoggerMessage(EventId = 924, Level = LogLevel.Warning, Message = "Workflow sweep failed: {Reason}")]
    private static partial void LogSweepFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 925, Level = LogLevel.Warning, Message = "A workflow event subscriber threw on {Type}: {Reason}")]
    private static partial void LogSubscriberFailed(ILogger logger, string type, string reason);

    [LoggerMessage(EventId = 926, Level = LogLevel.Warning, Message = "Dropped an unreadable worker reply (correlation id '{CorrelationId}')")]
    private static partial void LogBadReply(ILogger logger, string correlationId);
}
