using Microsoft.Extensions.Logging;

namespace Reactor.Metrics;

internal sealed partial class BoundedNames
{
    [LoggerMessage(EventId = 990, Level = LogLevel.Warning,
        Message = "Metrics of the {Component} saw more than {Capacity} distinct job names (latest '{Name}'); further names are reported as 'other'. Does a job name contain an id?")]
    private static partial void LogOverflow(ILogger logger, string component, int capacity, string name);
}
