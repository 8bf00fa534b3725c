using System.Diagnostics;

namespace Reactor.Bench.Jobs;

/// <summary>
/// <c>--trace</c>: a listener on the Reactor source that samples every span and counts those that stop, in
/// the bench process and (through <c>REACTOR_BENCH_TRACE=1</c>, inherited by the node process) in the
/// node, so both ends pay for creating, tagging and stopping every span. It exports nothing: what is
/// measured is Reactor's cost, not an exporter's.
/// </summary>
public static class SpanCounter
{
    /// <summary>The environment variable that turns the listener on in a node process.</summary>
    public const string Variable = "REACTOR_BENCH_TRACE";

    private static ActivityListener? s_listener;
    private static long s_stopped;

    /// <summary>Spans stopped in this process since the listener started.</summary>
    public static long Stopped => Interlocked.Read(ref s_stopped);

    /// <summary>Starts the listener when <see cref="Variable"/> is 1.</summary>
    public static void StartIfAsked()
    {
        if (Environment.GetEnvironmentVariable(Variable) == "1")
        {
            Start();
        }
    }

    /// <summary>Starts the listener (once).</summary>
    public static void Start()
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Reactor",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _ => Interlocked.Increment(ref s_stopped),
        };
        if (Interlocked.CompareExchange(ref s_listener, listener, null) is null)
        {
            ActivitySource.AddActivityListener(listener);
        }
        else
        {
            listener.Dispose();
        }
    }
}
