using System.Diagnostics;

namespace Reactor.TestJobs;

/// <summary>
/// Jobs that let a test see, from outside the node process, the span the node runs a job in.
/// </summary>
public sealed class TraceJobs : IJobModule
{
    private static ActivityListener? s_listener;

    /// <inheritdoc />
    public void Register(IJobRegistry jobs)
    {
        ArgumentNullException.ThrowIfNull(jobs);

        // A node creates spans only when something in its process listens to the "Reactor" source
        // (OpenTelemetry's AddSource("Reactor"), in an app). This job plays that app: after it ran, every
        // later job on this node runs in a recorded consumer span.
        jobs.Job("trace_listen", _ =>
        {
            var listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == "Reactor",
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            };
            if (Interlocked.CompareExchange(ref s_listener, listener, null) is null)
            {
                ActivitySource.AddActivityListener(listener);
            }
            else
            {
                listener.Dispose();
            }
        });

        // Reports the span the job code runs in: its trace, its parent (the enqueuer's span when the
        // trace context crossed the wire), its kind and its source.
        jobs.Job("trace_probe", args =>
        {
            var span = Activity.Current;
            args["trace_id"] = span?.TraceId.ToHexString() ?? "";
            args["parent_span_id"] = span?.ParentSpanId.ToHexString() ?? "";
            args["span_id"] = span?.SpanId.ToHexString() ?? "";
            args["kind"] = span?.Kind.ToString() ?? "";
            args["source"] = span?.Source.Name ?? "";
            args["span_name"] = span?.DisplayName ?? "";
        });
    }
}
