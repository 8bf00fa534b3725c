using System.Diagnostics;
using Hangfire;
using Hangfire.InMemory;
using Hangfire.Redis.StackExchange;
using StackExchange.Redis;

namespace Reactor.Bench;

/// <summary>
/// The same workloads through Hangfire, configured for speed: its server in this process (no network
/// hop, which favours Hangfire), workers = 2 × cores unless --peer-workers says otherwise, the delayed
/// job scheduler polling as often as it allows, and storage options that keep memory down.
/// </summary>
internal sealed class HangfireScenarios : IAsyncDisposable
{
    private static readonly TimeSpan PollingInterval = TimeSpan.FromMilliseconds(10);

    private readonly JobStorage _storage;
    private readonly BackgroundJobServer _server;
    private readonly ConnectionMultiplexer? _redis;
    private readonly string _storageName;

    private HangfireScenarios(JobStorage storage, BackgroundJobServer server, ConnectionMultiplexer? redis, string storageName)
    {
        _storage = storage;
        _server = server;
        _redis = redis;
        _storageName = storageName;
        Client = new BackgroundJobClient(storage);
    }

    public BackgroundJobClient Client { get; }

    public static string Describe(BenchOptions options, string? redis) =>
        $"Hangfire.Core 1.8.25, {(redis is null ? "Hangfire.InMemory 1.0.0 (IdType Long, MaxExpirationTime 1 min, MaxStateHistoryLength 2)" : "Hangfire.Redis.StackExchange 1.12.0 (FetchTimeout 1 s) on the same redis-server")}, " +
        $"server in the bench process, WorkerCount {options.PeerWorkers}, SchedulePollingInterval {PollingInterval.TotalMilliseconds} ms, " +
        "CompatibilityLevel 180, simple type serializer, recommended serializer settings, default job filters";

    public static HangfireScenarios Start(BenchOptions options, string? redis)
    {
        GlobalConfiguration.Configuration
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings();
        JobStorage storage;
        ConnectionMultiplexer? multiplexer = null;
        if (redis is null)
        {
            storage = new InMemoryStorage(new InMemoryStorageOptions
            {
                IdType = InMemoryStorageIdType.Long,
                MaxExpirationTime = TimeSpan.FromMinutes(1),
                MaxStateHistoryLength = 2,
            });
        }
        else
        {
            multiplexer = ConnectionMultiplexer.Connect(redis);
            storage = new RedisStorage(multiplexer, new RedisStorageOptions
            {
                Prefix = "{hangfire-bench}:",
                FetchTimeout = TimeSpan.FromSeconds(1),
            });
        }
        var server = new BackgroundJobServer(new BackgroundJobServerOptions
        {
            WorkerCount = options.PeerWorkers,
            SchedulePollingInterval = PollingInterval,
            ServerName = "bench",
        }, storage);
        return new HangfireScenarios(storage, server, multiplexer, redis is null ? "memory" : "redis");
    }

    public async Task<Figures> BurstAsync(int jobs)
    {
        await WarmUpAsync(Math.Min(jobs, 5_000));
        var done = HangfireJobs.Expect(jobs);
        var appAllocated = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        double enqueueSeconds;
        using (new Progress($"burst hangfire ({_storageName})", jobs, () => HangfireJobs.Finished))
        {
            for (var i = 0; i < jobs; i++)
            {
                Client.Enqueue(() => HangfireJobs.Noop());
            }
            enqueueSeconds = clock.Elapsed.TotalSeconds;
            await done.WaitAsync(TimeSpan.FromMinutes(10));
        }
        var seconds = clock.Elapsed.TotalSeconds;
        appAllocated = GC.GetTotalAllocatedBytes(precise: true) - appAllocated;
        return new Figures("burst", "hangfire")
            .Add("storage", _storageName)
            .Add("jobs", jobs)
            .Add("seconds", seconds)
            .Add("jobs_per_sec", jobs / seconds)
            .Add("enqueue_per_sec", jobs / enqueueSeconds)
            .Add("app_alloc_per_job", (double)appAllocated / jobs);
    }

    public async Task<Figures> RoundtripAsync(int iterations)
    {
        for (var i = 0; i < 200; i++)
        {
            var warm = HangfireJobs.ExpectSignal();
            Client.Enqueue(() => HangfireJobs.Signal());
            await warm.WaitAsync(TimeSpan.FromSeconds(30));
        }
        var sample = new long[iterations];
        var count = 0L;
        var clock = Stopwatch.StartNew();
        using (new Progress($"roundtrip hangfire ({_storageName})", iterations, () => Interlocked.Read(ref count)))
        {
            for (var i = 0; i < iterations; i++)
            {
                var start = Stopwatch.GetTimestamp();
                var signalled = HangfireJobs.ExpectSignal();
                Client.Enqueue(() => HangfireJobs.Signal());
                await signalled.WaitAsync(TimeSpan.FromSeconds(30));
                sample[i] = (long)Stopwatch.GetElapsedTime(start).TotalMicroseconds;
                Interlocked.Increment(ref count);
            }
        }
        var seconds = clock.Elapsed.TotalSeconds;
        var (p50, p99, max) = Percentiles.Of(sample);
        return new Figures("roundtrip", "hangfire")
            .Add("storage", _storageName)
            .Add("jobs", iterations)
            .Add("seconds", seconds)
            .Add("jobs_per_sec", iterations / seconds)
            .Add("p50_us", p50)
            .Add("p99_us", p99)
            .Add("max_us", max);
    }

    public async Task<Figures> TimersAsync(int jobs, int? leadSeconds)
    {
        await WarmUpAsync(5_000);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var self = Process.GetCurrentProcess();
        var idleRss = ProcessMemory.Read(Environment.ProcessId, "VmRSS");
        var idleHeap = GC.GetTotalMemory(forceFullCollection: true);
        ProcessMemory.ResetPeak(Environment.ProcessId);
        var done = HangfireJobs.Expect(jobs, recordLateness: true);
        var (lead, window) = TimerPlan.For(jobs, leadSeconds, enqueueRate: 6_000);
        var first = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + (long)lead.TotalMilliseconds;
        var clock = Stopwatch.StartNew();
        double enqueueSeconds;
        long pendingRss, pendingHeap;
        bool parkedBeforeDue;
        using (new Progress("timers hangfire", jobs, () => HangfireJobs.Finished))
        {
            for (var i = 0; i < jobs; i++)
            {
                var due = first + (long)(i * window.TotalMilliseconds / jobs);
                Client.Schedule(() => HangfireJobs.Late(due), DateTimeOffset.FromUnixTimeMilliseconds(due));
            }
            enqueueSeconds = clock.Elapsed.TotalSeconds;
            parkedBeforeDue = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() < first;
            pendingHeap = GC.GetTotalMemory(forceFullCollection: true);
            pendingRss = ProcessMemory.Read(Environment.ProcessId, "VmRSS");
            await done.WaitAsync(lead + window + TimeSpan.FromMinutes(5));
        }
        var (p50, p99, max) = Percentiles.Of(HangfireJobs.Lateness);
        var peak = ProcessMemory.Read(Environment.ProcessId, "VmHWM");
        return new Figures("timers", "hangfire")
            .Add("storage", _storageName)
            .Add("jobs", jobs)
            .Add("seconds", clock.Elapsed.TotalSeconds)
            .Add("enqueue_per_sec", jobs / enqueueSeconds)
            .Add("all_parked_before_due", parkedBeforeDue)
            .Add("p50_ms", p50 / 1000.0)
            .Add("p99_ms", p99 / 1000.0)
            .Add("max_ms", max / 1000.0)
            .Add("idle_rss_mb", idleRss / 1048576.0)
            .Add("pending_rss_mb", pendingRss / 1048576.0)
            .Add("peak_rss_mb", peak / 1048576.0)
            // Hangfire shares this process with the bench and earlier scenarios, whose freed memory the RSS
            // keeps, so its per-job figure is the GC heap growth (after full collections) instead.
            .Add("bytes_per_pending", (double)(pendingHeap - idleHeap) / jobs)
            .Add("heap_bytes_per_pending", (double)(pendingHeap - idleHeap) / jobs);
    }

    public async ValueTask DisposeAsync()
    {
        _server.SendStop();
        await _server.WaitForShutdownAsync(CancellationToken.None);
        _server.Dispose();
        (_storage as IDisposable)?.Dispose();
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }

    private async Task WarmUpAsync(int count)
    {
        var done = HangfireJobs.Expect(count);
        for (var i = 0; i < count; i++)
        {
            Client.Enqueue(() => HangfireJobs.Noop());
        }
        await done.WaitAsync(TimeSpan.FromMinutes(2));
    }
}
