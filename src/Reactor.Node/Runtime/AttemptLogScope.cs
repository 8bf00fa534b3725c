using System.Collections;
using System.Diagnostics;

namespace Reactor.Node.Runtime;

/// <summary>
/// The logging scope of one attempt: <c>JobId</c>, <c>JobName</c> and, when the attempt runs in a span,
/// its <c>TraceId</c> and <c>SpanId</c>. A formatter that includes scopes (the node's JSON console) puts
/// them on every line logged while the attempt runs, so a job's lines can be found by id or by trace.
/// A key/value list rather than an anonymous object so formatters read the values without reflection.
/// </summary>
internal sealed class AttemptLogScope(string jobId, string jobName, Activity? span) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public int Count => span is null ? 2 : 4;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new("JobId", jobId),
        1 => new("JobName", jobName),
        // Read when a line is written, not when the scope starts: the ids are cached by Activity, so this is cheap.
        2 when span is not null => new("TraceId", span.TraceId.ToHexString()),
        3 when span is not null => new("SpanId", span.SpanId.ToHexString()),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() =>
        span is null ? $"JobId:{jobId} JobName:{jobName}" : $"JobId:{jobId} JobName:{jobName} TraceId:{span.TraceId.ToHexString()}";
}
