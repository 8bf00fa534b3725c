using System.Diagnostics;
using System.Runtime;

namespace Reactor.Bench.Jobs;

/// <summary>
/// Jobs the benchmark enqueues. Lateness is measured here, on the node, against the due time the
/// app put into the args, so it counts the node's timer precision and loop delay, not the trip back.
/// </summary>
public sealed class BenchJobs : IJobModule
{
    /// <inheritdoc />
    public void Register(IJobRegistry jobs)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        SpanCounter.StartIfAsked();

        jobs.Job("noop", _ => { });

        // A deferred job: how long after args["due_ms"] it ran, in microseconds.
        jobs.Job("late", args => args["late_us"] = NowMicros() - (args.Get<long>("due_ms") * 1000));

        // A periodic job: distance in microseconds from the nearest slot first_ms + k × period_ms.
        jobs.Job("tick", args =>
        {
            var period = args.Get<long>("period_ms") * 1000;
            var offset = (NowMicros() - (args.Get<long>("first_ms") * 1000)) % period;
            args["late_us"] = offset <= period / 2 ? offset : offset - period;
        });

        // The node process's own figures, for allocation and memory deltas around a workload.
        jobs.Job("stats", args =>
        {
            if (args.Get("collect", false))
            {
                GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
                GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
                GC.Collect();
            }
            using var self = Process.GetCurrentProcess();
            args["allocated"] = GC.GetTotalAllocatedBytes(precise: true);
            args["heap"] = GC.GetTotalMemory(forceFullCollection: false);
            args["rss"] = self.WorkingSet64;
            args["gc0"] = GC.CollectionCount(0);
            args["gc1"] = GC.CollectionCount(1);
            args["gc2"] = GC.CollectionCount(2);
            args["cpu_ms"] = (long)self.TotalProcessorTime.TotalMilliseconds;
            args["gc_pause_ms"] = GC.GetTotalPauseDuration().TotalMilliseconds;
        });
    }

    private static long NowMicros() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / 10;
}
