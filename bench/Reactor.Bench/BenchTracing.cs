using System.Diagnostics;
using Reactor.Protocol.Diagnostics;

namespace Reactor.Bench;

/// <summary>
/// <c>--trace</c> in the bench process: a listener that samples every Reactor span and counts those that
/// stop (the node process gets the same from Reactor.Bench.Jobs' SpanCounter). Nothing is exported: the
/// figure is Reactor's own cost of creating, tagging and propagating spans.
/// </summary>
internal static class BenchTracing
{
    /// <summary>Turns SpanCounter on in node processes, which inherit it (see Reactor.Bench.Jobs).</summary>
    public const string NodeVariable = "REACTOR_BENCH_TRACE";

    private static long s_stopped;

    public static long Stopped => Interlocked.Read(ref s_stopped);

    public static void Start() => ActivitySource.AddActivityListener(new ActivityListener
    {
        ShouldListenTo = source => source.Name == ReactorTracing.SourceName,
        Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        ActivityStopped = _ => Interlocked.Increment(ref s_stopped),
    });
}
