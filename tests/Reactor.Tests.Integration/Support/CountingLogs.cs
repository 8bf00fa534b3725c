using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Reactor.Tests.Integration.Support;

/// <summary>
/// Counts log entries by event id and keeps only the last few lines, so thousands of fuzzed
/// connections can be checked for "one logged reason each" without the logs growing the heap the
/// test measures.
/// </summary>
internal sealed class CountingLogs : ILoggerProvider
{
    private const int Kept = 400;
    private readonly ConcurrentDictionary<int, int> _counts = new();
    private readonly ConcurrentQueue<string> _recent = new();

    public CountingLogs()
    {
        Factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(this));
    }

    public ILoggerFactory Factory { get; }

    public IReadOnlyList<string> Recent => [.. _recent];

    public int Count(params int[] eventIds) => eventIds.Sum(id => _counts.GetValueOrDefault(id));

    public string Summary() => string.Join(", ", _counts.OrderBy(p => p.Key).Select(p => $"{p.Key}: {p.Value}"));

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() => Factory.Dispose();

    private sealed class Logger(CountingLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            owner._counts.AddOrUpdate(eventId.Id, 1, (_, n) => n + 1);
            owner._recent.Enqueue($"{logLevel} {category}[{eventId.Id}]: {formatter(state, exception)}{(exception is null ? "" : " " + exception)}");
            while (owner._recent.Count > Kept && owner._recent.TryDequeue(out _))
            {
            }
        }
    }
}
