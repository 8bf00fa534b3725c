using System.Diagnostics;

namespace Reactor.Bench;

/// <summary>
/// A fixed rate of no-op jobs for a long time (default 5 minutes), reported per 10-second window:
/// latency percentiles, both processes' RSS and GC pause totals, CPU per job. A leak shows as RSS
/// that keeps climbing from window to window; drift as latency that does.
/// </summary>
internal static class SustainedScenario
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    public static async Task<IReadOnlyList<Figures>> RunAsync(BenchOptions options, string? redis)
    {
        await using var rig = await ReactorRig.StartAsync(options, redis);
        await rig.WarmUpAsync(20_000);
        var rate = options.Rate;
        var windows = (int)Math.Ceiling(options.Duration / Window.TotalSeconds);
        var perWindow = (int)(rate * Window.TotalSeconds * 1.05) + 16;
        var latencies = new long[windows][];
        var counts = new int[windows];
        for (var w = 0; w < windows; w++)
        {
            latencies[w] = new long[perWindow];
        }
        long sent = 0, finished = 0, failed = 0;
        var total = (long)(rate * options.Duration);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Action<JobArgs> error = _ =>
        {
            Interlocked.Increment(ref failed);
            if (Interlocked.Increment(ref finished) == total)
            {
                done.TrySetResult();
            }
        };
        var samples = new List<Sample> { await SampleAsync(rig, 0) };
        var start = Stopwatch.GetTimestamp();
        var ticksPerJob = Stopwatch.Frequency / rate;

        // The pacer: every millisecond it sends the jobs whose intended time has come. Latency runs from
        // that intended time, not from the send, so a pacer held up by a stalled system cannot hide the
        // stall (no coordinated omission).
        var pacer = new Thread(() =>
        {
            for (long i = 0; i < total; i++)
            {
                var intended = start + (long)(i * ticksPerJob);
                while (Stopwatch.GetTimestamp() < intended)
                {
                    Thread.Sleep(1);
                }
                var window = (int)((intended - start) / (Window.TotalSeconds * Stopwatch.Frequency));
                rig.Distributor.Enqueue("noop", null, null, _ =>
                {
                    var slot = Interlocked.Increment(ref counts[window]) - 1;
                    if (slot < perWindow)
                    {
                        latencies[window][slot] = (long)Stopwatch.GetElapsedTime(intended).TotalMicroseconds;
                    }
                    if (Interlocked.Increment(ref finished) == total)
                    {
                        done.TrySetResult();
                    }
                }, error);
                Interlocked.Increment(ref sent);
            }
        }) { IsBackground = true, Name = "sustained pacer" };
        using (new Progress($"sustained reactor ({rate:N0} jobs/s for {options.Duration} s)", total, () => Interlocked.Read(ref finished)))
        {
            pacer.Start();
            for (var w = 1; w <= windows; w++)
            {
                var due = TimeSpan.FromTicks(Window.Ticks * w) - Stopwatch.GetElapsedTime(start);
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due);
                }
                samples.Add(await SampleAsync(rig, Interlocked.Read(ref finished)));
            }
            await done.Task.WaitAsync(TimeSpan.FromMinutes(3));
        }
        var rows = new List<Figures>();
        for (var w = 0; w < windows; w++)
        {
            var (a, b) = (samples[w], samples[w + 1]);
            var completed = b.Finished - a.Finished;
            var sample = latencies[w][..Math.Min(counts[w], perWindow)];
            var (p50, p99, max) = Percentiles.Of(sample);
            rows.Add(new Figures("sustained", "reactor")
                .Add("window", w + 1)
                .Add("t_s", (w + 1) * Window.TotalSeconds)
                .Add("jobs", counts[w])
                .Add("p50_us", p50)
                .Add("p99_us", p99)
                .Add("max_us", max)
                .Add("app_rss_mb", b.AppRss / 1048576.0)
                .Add("node_rss_mb", b.NodeRss / 1048576.0)
                .Add("app_gc_pause_ms", b.AppPause.TotalMilliseconds)
                .Add("node_gc_pause_ms", b.NodePauseMs)
                .Add("cpu_us_per_job", completed == 0 ? 0 : (b.Cpu - a.Cpu).TotalMicroseconds / completed)
                .Add("load_average", b.LoadAverage));
        }
        var first = samples[1];
        var last = samples[^1];
        var all = latencies.SelectMany((l, w) => l.Take(Math.Min(counts[w], perWindow))).ToArray();
        var (p50All, p99All, maxAll) = Percentiles.Of(all);
        rows.Add(new Figures("sustained", "reactor total")
            .Add("rate", rate)
            .Add("seconds", options.Duration)
            .Add("jobs", total)
            .Add("failed", Interlocked.Read(ref failed))
            .Add("p50_us", p50All)
            .Add("p99_us", p99All)
            .Add("max_us", maxAll)
            // From the end of the first window (warm) to the end of the run: flat means no leak.
            .Add("app_rss_drift_mb", (last.AppRss - first.AppRss) / 1048576.0)
            .Add("node_rss_drift_mb", (last.NodeRss - first.NodeRss) / 1048576.0)
            .Add("app_gc_pause_ms", (last.AppPause - samples[0].AppPause).TotalMilliseconds)
            .Add("node_gc_pause_ms", last.NodePauseMs - samples[0].NodePauseMs)
            .Add("cpu_us_per_job", (last.Cpu - samples[0].Cpu).TotalMicroseconds / total));
        return rows;
    }

    private static async Task<Sample> SampleAsync(ReactorRig rig, long finished)
    {
        // The node's pause total comes from a stats job (one per window, next to thousands of no-ops);
        // RSS and CPU are read by the OS, so they cost the node nothing.
        var stats = await rig.NodeStatsAsync();
        return new Sample(
            finished,
            ProcessMemory.Read(Environment.ProcessId, "VmRSS"),
            ProcessMemory.Read(rig.Node.Id, "VmRSS"),
            GC.GetTotalPauseDuration(),
            stats.Get("gc_pause_ms", 0.0),
            rig.TotalCpu,
            Machine.LoadAverage());
    }

    private sealed record Sample(long Finished, long AppRss, long NodeRss, TimeSpan AppPause, double NodePauseMs, TimeSpan Cpu, double LoadAverage);
}
