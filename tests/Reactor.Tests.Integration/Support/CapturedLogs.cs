using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Reactor.Tests.Integration.Support;

/// <summary>Keeps every log line (and forwards to the console factory) so tests can assert what was reported.</summary>
internal sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public ILoggerFactory Factory { get; }

    public CapturedLogs()
    {
        Factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(this));
    }

    public IReadOnlyList<string> Lines => [.. _lines];

    public bool Contains(string fragment) => _lines.Any(l => l.Contains(fragment, StringComparison.OrdinalIgnoreCase));

    /// <summary>Waits (event-free: logs have no completion signal) until a line with <paramref name="fragment"/> appears.</summary>
    public async Task<bool> WaitForAsync(string fragment, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Contains(fragment))
            {
                return true;
            }
            await Task.Delay(25);
        }
        return Contains(fragment);
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName, TestLogging.Factory.CreateLogger(categoryName));

    public void Dispose() => Factory.Dispose();

    private sealed class Logger(CapturedLogs owner, string category, ILogger forward) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            owner._lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)}");
            forward.Log(logLevel, eventId, state, exception, formatter);
        }
    }
}
