using System.Diagnostics.Tracing;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Reactor.Cli.Commands;

/// <summary>
/// Brings the OpenTelemetry exporters' own errors (an OTLP endpoint that refuses connections, say) into the
/// node's log. The exporters report them only on their EventSources, which nothing reads by default, so an
/// operator would see no sign of lost telemetry. A failing endpoint fails every export, so one warning a
/// minute is written at most, with the count of the errors held back since the last one.
/// </summary>
internal sealed partial class ExporterErrorLog : EventListener
{
    private const string SourcePrefix = "OpenTelemetry-Exporter";
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    private readonly Lock _gate = new();
    private ILogger? _logger;
    private TimeProvider _time = TimeProvider.System;
    private long _lastWarned;
    private bool _warned;
    private int _suppressed;

    /// <summary>Starts listening; <paramref name="logger"/> receives the warnings, <paramref name="time"/> paces them.</summary>
    public ExporterErrorLog(ILogger logger, TimeProvider time)
    {
        // Set after the base constructor, which already reports the existing sources: it only enables
        // events there, and OnEventWritten ignores any that arrive before the logger is in place.
        _logger = logger;
        _time = time;
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name.StartsWith(SourcePrefix, StringComparison.Ordinal))
        {
            EnableEvents(eventSource, EventLevel.Warning);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (_logger is not { } logger || eventData.Level is not (EventLevel.Critical or EventLevel.Error or EventLevel.Warning)
            || !eventData.EventSource.Name.StartsWith(SourcePrefix, StringComparison.Ordinal))
        {
            return;
        }
        int suppressed;
        lock (_gate)
        {
            // Exports run on the providers' own threads, several at once.
            var now = _time.GetTimestamp();
            if (_warned && _time.GetElapsedTime(_lastWarned, now) < Interval)
            {
                _suppressed++;
                return;
            }
            _warned = true;
            _lastWarned = now;
            suppressed = _suppressed;
            _suppressed = 0;
        }
        LogExporterError(logger, eventData.EventSource.Name, Describe(eventData), suppressed);
    }

    /// <summary>The event's message with its values, first line only: the payload may hold a whole stack trace.</summary>
    private static string Describe(EventWrittenEventArgs e)
    {
        string text;
        try
        {
            text = e.Message is { Length: > 0 } format && e.Payload is { } payload
                ? string.Format(CultureInfo.InvariantCulture, format, [.. payload])
                : e.EventName ?? e.EventId.ToString(CultureInfo.InvariantCulture);
        }
        catch (FormatException)
        {
            text = e.Message ?? e.EventName ?? "";
        }
        var end = text.IndexOfAny(['\r', '\n']);
        return end < 0 ? text : text[..end];
    }

    [LoggerMessage(EventId = 50, Level = LogLevel.Warning, Message = "OpenTelemetry export failed ({Source}): {Detail}; {Suppressed} more exporter errors were not logged in the last minute (at most one warning a minute)")]
    private static partial void LogExporterError(ILogger logger, string source, string detail, int suppressed);
}
