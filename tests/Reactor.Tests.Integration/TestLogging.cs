using Microsoft.Extensions.Logging;

namespace Reactor.Tests.Integration;

/// <summary>Console logging for tests, at the level in REACTOR_TEST_LOG (default: Warning).</summary>
internal static class TestLogging
{
    public static ILoggerFactory Factory { get; } = LoggerFactory.Create(b => b
        .SetMinimumLevel(Enum.TryParse<LogLevel>(Environment.GetEnvironmentVariable("REACTOR_TEST_LOG"), out var level) ? level : LogLevel.Warning)
        .AddSimpleConsole(c =>
        {
            c.SingleLine = true;
            c.TimestampFormat = "HH:mm:ss.fff ";
        }));
}
