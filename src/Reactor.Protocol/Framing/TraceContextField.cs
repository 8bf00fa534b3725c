using System.Text;
using MessagePack;
using Reactor.Protocol.Diagnostics;

namespace Reactor.Protocol.Framing;

/// <summary>
/// Reads the optional trace-context fields (<c>traceparent</c>, <c>tracestate</c>) that trail Dispatch and
/// Publish. Tracing must never cost a job: a value of the wrong type or over
/// <see cref="ReactorTracing.MaxTraceContextBytes"/> reads as null instead of being a protocol violation,
/// and nothing is allocated for it.
/// </summary>
internal static class TraceContextField
{
    public static string? Read(ref MessagePackReader reader)
    {
        if (reader.NextMessagePackType != MessagePackType.String)
        {
            reader.Skip();
            return null;
        }
        var bytes = reader.ReadStringSequence();
        if (bytes is not { } text || text.Length > ReactorTracing.MaxTraceContextBytes)
        {
            return null;
        }
        return Encoding.UTF8.GetString(text);
    }

    /// <summary>How many of the two trailing fields to write: none without a traceparent, tracestate only with one.</summary>
    public static int Count(string? traceParent, string? traceState) =>
        traceParent is null ? 0 : traceState is null ? 1 : 2;

    public static void Write(ref MessagePackWriter writer, int count, string? traceParent, string? traceState)
    {
        if (count >= 1)
        {
            writer.Write(traceParent);
        }
        if (count == 2)
        {
            writer.Write(traceState);
        }
    }
}
