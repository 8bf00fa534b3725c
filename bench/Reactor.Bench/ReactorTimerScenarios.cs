using System.Diagnostics;

namespace Reactor.Bench;

/// <summary>Reactor's deferred and periodic workloads; lateness is measured by the job on the node.</summary>
internal static class ReactorTimerScenarios
{
    public static async Task<Figures> TimersAsync(BenchOptions options, int jobs, string? redis)
    {
        await using var rig = await ReactorRig.StartAsync(options, redis);
        await rig.WarmUpAsync(10_000);
        var idle = await rig.NodeStatsAsync(collect: true);
        ProcessMemory.ResetPeak(rig.Node.Id);
        var lateness = new long[jobs];
        long finished = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Action<JobArgs> success = args =>
        {
            var i = Interlocked.Increment(ref finished);
            lateness[i - 1] = args.Get<long>("late_us");
            if (i == jobs)
            {
                done.TrySetResult();
            }
        };
        Action<JobArgs> error = a => done.TrySetException(new InvalidOperationException("a late job failed: " + a["error"]));
        // Due times spread evenly over the window, the first one after every job has reached the node.
        var (lead, window) = TimerPlan.For(jobs, options.Lead, enqueueRate: 40_000);
        var first = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + (long)lead.TotalMilliseconds;
        var nodeCpu = rig.NodesCpu;
        var clock = Stopwatch.StartNew();
        JobArgs pending;
        using (new Progress("timers reactor", jobs, () => Interlocked.Read(ref finished)))
        {
            for (var i = 0; i < jobs; i++)
            {
                var due = first + (long)(i * window.TotalMilliseconds / jobs);
                rig.Distributor.Enqueue("late", new Dictionary<string, object?> { ["due_ms"] = due },
                    new EnqueueOptions { RunAt = DateTimeOffset.FromUnixTimeMilliseconds(due) }, success, error);
            }
            var enqueueSeconds = clock.Elapsed.TotalSeconds;
            // The stats job runs after the node has parked every job dispatched before it.
            pending = await rig.NodeStatsAsync(collect: true);
            pending["enqueue_seconds"] = enqueueSeconds;
            pending["parked_before_due"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() < first;
            await done.Task.WaitAsync(lead + window + TimeSpan.FromMinutes(3));
        }
        nodeCpu = rig.NodesCpu - nodeCpu;
        var (p50, p99, max) = Percentiles.Of(lateness);
        var peak = ProcessMemory.Read(rig.Node.Id, "VmHWM");
        return new Figures("timers", "reactor")
            .Add("storage", options.Storage)
            .Add("jobs", jobs)
            .Add("seconds", clock.Elapsed.TotalSeconds)
            .Add("enqueue_per_sec", jobs / pending.Get<double>("enqueue_seconds"))
            .Add("all_parked_before_due", pending.Get<bool>("parked_before_due"))
            .Add("p50_ms", p50 / 1000.0)
            .Add("p99_ms", p99 / 1000.0)
            .Add("max_ms", max / 1000.0)
            // Parking and running each job, read by the OS: the figure a busy machine does not distort.
            .Add("node_cpu_us_per_job", nodeCpu.TotalMicroseconds / jobs)
            .Add("load_average", Machine.LoadAverage())
            .Add("idle_rss_mb", idle.Get<long>("rss") / 1048576.0)
            .Add("pending_rss_mb", pending.Get<long>("rss") / 1048576.0)
            .Add("peak_rss_mb", peak / 1048576.0)
            .Add("bytes_per_pending", (double)(pending.Get<long>("rss") - idle.Get<long>("rss")) / jobs)
            .Add("heap_bytes_per_pending", (double)(pending.Get<long>("heap") - idle.Get<long>("heap")) / jobs);
    }

    public static async Task<Figures> PeriodicAsync(BenchOptions options, int jobs, string? redis)
    {
        await using var rig = await ReactorRig.StartAsync(options, redis);
        await rig.WarmUpAsync(10_000);
        const long PeriodMs = 1000;
        var runs = new List<long>(jobs * (options.Seconds + 2));
        long cancelled = 0;
        var allCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Action<JobArgs> success = args =>
        {
            if (args.TryGetValue("late_us", out var late))
            {
                lock (runs)
                {
                    runs.Add(Convert.ToInt64(late, System.Globalization.CultureInfo.InvariantCulture));
                }
            }
        };
        Action<JobArgs> ended = _ =>
        {
            if (Interlocked.Increment(ref cancelled) == jobs)
            {
                allCancelled.TrySetResult();
            }
        };
        // Slots spread over the period (ten jobs per millisecond), as jobs enqueued over time would be.
        var first = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 3000;
        var ids = new string[jobs];
        for (var i = 0; i < jobs; i++)
        {
            var slot = first + (i * PeriodMs / jobs);
            ids[i] = rig.Distributor.Enqueue("tick", new Dictionary<string, object?> { ["first_ms"] = slot, ["period_ms"] = PeriodMs },
                new EnqueueOptions { RunAt = DateTimeOffset.FromUnixTimeMilliseconds(slot), Period = TimeSpan.FromMilliseconds(PeriodMs) },
                success, ended);
        }
        var until = DateTimeOffset.FromUnixTimeMilliseconds(first) + TimeSpan.FromSeconds(options.Seconds);
        using (new Progress("periodic reactor (runs)", (long)jobs * options.Seconds, () => { lock (runs) { return runs.Count; } }))
        {
            await Task.Delay(until - DateTimeOffset.UtcNow);
        }
        foreach (var id in ids)
        {
            rig.Distributor.Cancel(id);
        }
        await allCancelled.Task.WaitAsync(TimeSpan.FromSeconds(60));
        long[] sample;
        lock (runs)
        {
            sample = [.. runs.Select(Math.Abs)];
        }
        var within = sample.Count(l => l <= 10_000);
        var (p50, p99, max) = Percentiles.Of(sample);
        return new Figures("periodic", "reactor")
            .Add("storage", options.Storage)
            .Add("jobs", jobs)
            .Add("runs", sample.Length)
            .Add("seconds", (double)options.Seconds)
            .Add("within_10ms", (double)within / Math.Max(1, sample.Length))
            .Add("p50_ms", p50 / 1000.0)
            .Add("p99_ms", p99 / 1000.0)
            .Add("max_ms", max / 1000.0);
    }
}

/// <summary>When deferred jobs fall due: after a lead long enough to enqueue them all, spread over a window.</summary>
internal static class TimerPlan
{
    /// <param name="jobs">How many jobs.</param>
    /// <param name="leadSeconds">The lead asked for on the command line, if any.</param>
    /// <param name="enqueueRate">Jobs per second the system is expected to schedule, to size the lead.</param>
    public static (TimeSpan Lead, TimeSpan Window) For(int jobs, int? leadSeconds, double enqueueRate) =>
        (TimeSpan.FromSeconds(leadSeconds ?? 3 + (jobs / enqueueRate)), TimeSpan.FromSeconds(Math.Max(1, jobs / 100_000.0)));
}
