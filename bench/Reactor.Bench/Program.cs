using System.Runtime.InteropServices;
using OpenTelemetry.Metrics;
using Reactor.Bench;
using Reactor.OpenTelemetry;

if (args is [ScaleApp.Role, ..])
{
    return await ScaleApp.RunAsync(args[1..]);
}

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException e)
{
    await Console.Error.WriteLineAsync($"reactor bench: {e.Message}\n" +
        "usage: --scenario burst|roundtrip|timers|periodic|all|sustained|multinode|scale [--jobs N] [--rate N] [--duration S] [--nodes 1,2,4] [--apps 1,2,4] [--backends single,cluster] [--inflight N] [--storage memory|redis] [--redis ADDR] " +
        "[--peer hangfire] [--peer-jobs N] [--peer-workers N] [--capacity N] [--seconds N] [--lead SECONDS] [--otel] [--trace] [--json]");
    return 2;
}

var info = TextWriter.Synchronized(options.Json ? Console.Error : Console.Out);
// With --otel the SDK aggregates every Reactor measurement of this process (exported to memory once a minute).
using var meters = options.Otel
    ? OpenTelemetry.Sdk.CreateMeterProviderBuilder().AddReactorInstrumentation()
        .AddInMemoryExporter(new List<OpenTelemetry.Metrics.Metric>(), r => r.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 60_000)
        .Build()
    : null;
if (options.Trace)
{
    // Set before any node process starts, which inherits it.
    Environment.SetEnvironmentVariable(BenchTracing.NodeVariable, "1");
    BenchTracing.Start();
    info.WriteLine("tracing: every Reactor span sampled and counted in the bench and node processes");
}
info.WriteLine($"machine: {Environment.ProcessorCount} cores, {Machine.CpuModel()}, {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}");
if (options.Scenario == "scale")
{
    // Starts its own Redis and cluster (it needs both, and fresh counters); --storage redis adds node records.
    await ScaleScenario.RunAsync(options, info);
    return 0;
}
var needsRedis = options.Storage == "redis" || options.Journal is not null;
await using var redisServer = needsRedis && options.Redis is null ? await RedisServer.StartAsync() : null;
var redis = options.Storage == "redis" ? options.Redis ?? redisServer!.Address : null;
options.JournalAddress = options.Journal is null ? null : options.Redis ?? redisServer!.Address;
if (redisServer is not null)
{
    info.WriteLine($"redis: private redis-server at {redisServer.Address} (appendonly yes, appendfsync everysec, no RDB)");
}
if (options.Peer is not null)
{
    info.WriteLine("peer: " + HangfireScenarios.Describe(options, redis));
}

if (options.Scenario == "sustained")
{
    foreach (var row in await SustainedScenario.RunAsync(options, redis))
    {
        Report.Print(row, options.Json);
    }
    return 0;
}
if (options.Scenario == "multinode")
{
    foreach (var row in await ReactorScenarios.MultiNodeAsync(options, options.Jobs ?? Defaults.Jobs("burst"), redis))
    {
        Report.Print(row, options.Json);
    }
    return 0;
}
foreach (var scenario in options.SelectedScenarios)
{
    var jobs = options.Jobs ?? Defaults.Jobs(scenario);
    var reactor = scenario switch
    {
        "burst" => await ReactorScenarios.BurstAsync(options, jobs, redis),
        "roundtrip" => await ReactorScenarios.RoundtripAsync(options, jobs, redis),
        "timers" => await ReactorTimerScenarios.TimersAsync(options, jobs, redis),
        _ => await ReactorTimerScenarios.PeriodicAsync(options, jobs, redis),
    };
    Report.Print(reactor, options.Json);
    if (scenario == "burst")
    {
        // The same burst through EnqueueMany, reported next to the single enqueues.
        Report.Print(await ReactorScenarios.BurstAsync(options, jobs, redis, many: true), options.Json);
    }
    if (options.Peer is null || scenario == "periodic")
    {
        continue;
    }
    var peerJobs = options.PeerJobs ?? Defaults.PeerJobs(scenario, jobs, options.Storage);
    await using (var hangfire = HangfireScenarios.Start(options, redis))
    {
        var peer = scenario switch
        {
            "burst" => await hangfire.BurstAsync(peerJobs),
            "roundtrip" => await hangfire.RoundtripAsync(peerJobs),
            _ => await hangfire.TimersAsync(peerJobs, options.Lead),
        };
        Report.Print(peer, options.Json);
        Report.Print(Report.Ratio(reactor, peer), options.Json);
    }
}
return 0;

internal static class Defaults
{
    public static int Jobs(string scenario) => scenario switch
    {
        "burst" => 200_000,
        "roundtrip" => 5_000,
        "timers" => 1_000_000,
        _ => 10_000,
    };

    /// <summary>Hangfire gets the same count except where it would take minutes (the ratio is of rates, so it stays fair).</summary>
    public static int PeerJobs(string scenario, int jobs, string storage) => (scenario, storage) switch
    {
        ("timers", _) => Math.Min(jobs, 100_000),
        ("burst", "redis") => Math.Min(jobs, 20_000),
        _ => jobs,
    };
}

internal static class Machine
{
    /// <summary>The one-minute load average (other work on the machine), or -1 where /proc is missing.</summary>
    public static double LoadAverage() =>
        File.Exists("/proc/loadavg")
            ? double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture)
            : -1;

    public static string CpuModel() =>
        File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?"
            : "?";
}
