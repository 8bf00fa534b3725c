using Microsoft.Extensions.Logging;

namespace Reactor;

public sealed partial class ReactorDistributor
{
    [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "Distributor listening on {Host}:{Port} (id {Id})")]
    private static partial void LogListening(ILogger logger, string host, int port, string id);

    [LoggerMessage(EventId = 401, Level = LogLevel.Warning, Message = "Accepting a connection failed: {Reason}")]
    private static partial void LogAcceptFailed(ILogger logger, string reason);
}
