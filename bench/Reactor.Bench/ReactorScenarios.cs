using System.Diagnostics;

namespace Reactor.Bench;

/// <summary>Reactor's side of each workload: an in-process distributor, one node process.</summary>
internal static class ReactorScenarios
{
    public static async Task<Figures> BurstAsync(BenchOptions options, int jobs, string? redis, int nodes = 1, string scenario = "burst")
    {
        await using var rig = await ReactorRig.StartAsync(options, redis, nodes);
        await rig.WarmUpAsync(Math.Min(jobs, 20_000) * nodes);
        // The stats job reaches one node only, so its allocation figures mean something with one node alone.
        var before = nodes == 1 ? await rig.NodeStatsAsync() : null;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        long finished = 0;
        // One lambda for every job, so the bench adds no per-job allocation of its own.
        Action<JobArgs> success = _ =>
        {
            if (Interlocked.Increment(ref finished) == jobs)
            {
                done.TrySetResult();
            }
        };
        Action<JobArgs> error = a => done.TrySetException(new InvalidOperationException("a noop job failed: " + a["error"]));
        var appAllocated = GC.GetTotalAllocatedBytes(precise: true);
        var appCpu = Environment.CpuUsage.TotalTime;
        var nodesCpu = rig.NodesCpu;
        var clock = Stopwatch.StartNew();
        double enqueueSeconds;
        using (new Progress($"burst reactor ({options.Storage}, {nodes} node{(nodes == 1 ? "" : "s")})", jobs, () => Interlocked.Read(ref finished)))
        {
            // Concurrent enqueuers share journal round trips (group commit); one enqueuer waits for each.
            var share = jobs / options.Enqueuers;
            var enqueuers = Enumerable.Range(0, options.Enqueuers).Select(t => Task.Run(() =>
            {
                var count = t == 0 ? jobs - share * (options.Enqueuers - 1) : share;
                for (var i = 0; i < count; i++)
                {
                    rig.Distributor.Enqueue("noop", null, null, success, error);
                }
            }));
            await Task.WhenAll(enqueuers);
            enqueueSeconds = clock.Elapsed.TotalSeconds;
            await done.Task.WaitAsync(TimeSpan.FromMinutes(5));
        }
        var seconds = clock.Elapsed.TotalSeconds;
        appAllocated = GC.GetTotalAllocatedBytes(precise: true) - appAllocated;
        appCpu = Environment.CpuUsage.TotalTime - appCpu;
        nodesCpu = rig.NodesCpu - nodesCpu;
        var figures = new Figures(scenario, "reactor")
            .Add("storage", options.Storage)
            .Add("nodes", nodes)
            .Add("journal", options.Journal ?? "none")
            .Add("enqueuers", options.Enqueuers)
            .Add("jobs", jobs)
            .Add("seconds", seconds)
            .Add("jobs_per_sec", jobs / seconds)
            .Add("enqueue_per_sec", jobs / enqueueSeconds)
            .Add("app_alloc_per_job", (double)appAllocated / jobs)
            .Add("app_cpu_ms", (long)appCpu.TotalMilliseconds)
            .Add("node_cpu_ms", (long)nodesCpu.TotalMilliseconds)
            // CPU, not wall time, is what a shared machine cannot inflate: user + system of every process, per job.
            .Add("cpu_us_per_job", (appCpu + nodesCpu).TotalMicroseconds / jobs)
            .Add("app_cpu_us_per_job", appCpu.TotalMicroseconds / jobs)
            .Add("node_cpu_us_per_job", nodesCpu.TotalMicroseconds / jobs)
            .Add("load_average", Machine.LoadAverage());
        if (before is not null)
        {
            var after = await rig.NodeStatsAsync();
            figures
                .Add("node_alloc_per_job", (double)(after.Get<long>("allocated") - before.Get<long>("allocated")) / jobs)
                .Add("node_gc0", after.Get<long>("gc0") - before.Get<long>("gc0"))
                .Add("node_gc2", after.Get<long>("gc2") - before.Get<long>("gc2"));
        }
        return figures;
    }

    /// <summary>The same burst through 1, 2 and 4 node processes, so the cost of fan-out shows.</summary>
    public static async Task<IReadOnlyList<Figures>> MultiNodeAsync(BenchOptions options, int jobs, string? redis)
    {
        var rows = new List<Figures>();
        foreach (var nodes in options.NodeCounts)
        {
            rows.Add(await BurstAsync(options, jobs, redis, nodes, "multinode"));
        }
        return rows;
    }

    public static async Task<Figures> RoundtripAsync(BenchOptions options, int iterations, string? redis)
    {
        await using var rig = await ReactorRig.StartAsync(options, redis);
        for (var i = 0; i < 1_000; i++)
        {
            await rig.Distributor.EnqueueAsync("noop");
        }
        var sample = new long[iterations];
        var count = 0L;
        var clock = Stopwatch.StartNew();
        using (new Progress($"roundtrip reactor ({options.Storage})", iterations, () => Interlocked.Read(ref count)))
        {
            for (var i = 0; i < iterations; i++)
            {
                var start = Stopwatch.GetTimestamp();
                var result = await rig.Distributor.EnqueueAsync("noop");
                sample[i] = (long)Stopwatch.GetElapsedTime(start).TotalMicroseconds;
                if (!result.Succeeded)
                {
                    throw new InvalidOperationException("noop failed: " + result.Error);
                }
                Interlocked.Increment(ref count);
            }
        }
        var seconds = clock.Elapsed.TotalSeconds;
        var (p50, p99, max) = Percentiles.Of(sample);
        return new Figures("roundtrip", "reactor")
            .Add("storage", options.Storage)
            .Add("jobs", iterations)
            .Add("seconds", seconds)
            .Add("jobs_per_sec", iterations / seconds)
            .Add("p50_us", p50)
            .Add("p99_us", p99)
            .Add("max_us", max);
    }
}
