using System.Diagnostics;
using System.Globalization;

namespace Reactor.Bench;

/// <summary>
/// K application processes × M node processes on this machine, against one Redis and against a
/// 3-master Redis Cluster, both started by the bench. Every application runs a distributor with a
/// durable journal that announces itself; every node runs <c>reactor node --discover</c> and so
/// serves every application. Per configuration: jobs/s, latency percentiles over every job of every
/// application, and the Redis commands, bytes and server CPU per job (Redis's own counters, which a
/// loaded machine does not distort).
/// </summary>
internal static class ScaleScenario
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    /// <summary>"Job storage operation failed" lines the nodes printed in the current configuration.</summary>
    private static int _storeFailures;

    public static async Task RunAsync(BenchOptions options, TextWriter info)
    {
        ReactorRig.LocateReleaseCli();
        var jobsDirectory = Directory.CreateTempSubdirectory("reactor-bench-jobs-").FullName;
        File.Copy(Path.Combine(AppContext.BaseDirectory, "BenchJobs", "Reactor.Bench.Jobs.dll"), Path.Combine(jobsDirectory, "Reactor.Bench.Jobs.dll"));
        try
        {
            var run = 0;
            foreach (var backend in options.Backends)
            {
                await using IAsyncDisposable server = backend == "cluster" ? await RedisClusterServer.StartAsync() : await RedisServer.StartAsync();
                var address = server is RedisClusterServer cluster ? cluster.Address : ((RedisServer)server).Address;
                info.WriteLine($"redis ({backend}): {address} (appendonly yes, appendfsync everysec{(backend == "cluster" ? ", 3 masters, no replicas" : "")})");
                await using var load = await RedisLoad.ConnectAsync(address);
                foreach (var apps in options.AppCounts)
                {
                    foreach (var nodes in options.NodeCounts)
                    {
                        Report.Print(await RunOneAsync(options, backend, address, load, apps, nodes, $"scale{++run}", jobsDirectory), options.Json);
                    }
                }
            }
        }
        finally
        {
            Directory.Delete(jobsDirectory, recursive: true);
        }
    }

    private static async Task<Figures> RunOneAsync(BenchOptions options, string backend, string redis, RedisLoad load, int appCount, int nodeCount, string prefix, string jobsDirectory)
    {
        var total = options.Jobs ?? 50_000;
        var perApp = total / appCount;
        var nodes = new List<Process>();
        var apps = new List<Process>();
        var samples = Enumerable.Range(0, appCount).Select(_ => Path.GetTempFileName()).ToList();
        try
        {
            for (var i = 0; i < nodeCount; i++)
            {
                List<string> args = ["node", "--name", $"{prefix}-node-{i + 1}", "--discover", redis, "--discover-prefix", prefix, "--jobs", jobsDirectory,
                    "--log-job-processing", "false", "--log-level", "Warning"];
                if (options.Storage == "redis")
                {
                    args.AddRange(["--storage", "redis", "--redis", redis]);
                }
                if (options.Capacity is { } capacity)
                {
                    args.AddRange(["--capacity", $"{capacity}"]);
                }
                nodes.Add(Start(Cli(), args, redirectInput: false));
            }
            for (var i = 0; i < appCount; i++)
            {
                apps.Add(Start(Self(), [ScaleApp.Role, "--redis", redis, "--prefix", prefix, "--name", $"{prefix}-app-{i + 1}", "--nodes", $"{nodeCount}",
                    "--jobs", $"{perApp}", "--inflight", $"{options.Inflight}", "--samples", samples[i]], redirectInput: true));
            }
            await Console.Error.WriteLineAsync($"  scale {backend}: {appCount} app(s) x {nodeCount} node(s), {perApp * appCount:N0} jobs");
            foreach (var app in apps)
            {
                await ExpectAsync(app, "ready");
            }
            var nodesCpu = Cpu(nodes);
            var redisCpu = await load.CpuSecondsAsync();
            Interlocked.Exchange(ref _storeFailures, 0);
            await load.ResetAsync();
            var clock = Stopwatch.StartNew();
            foreach (var app in apps)
            {
                await app.StandardInput.WriteLineAsync("go");
                await app.StandardInput.FlushAsync();
            }
            var done = new List<string[]>();
            foreach (var app in apps)
            {
                done.Add((await ExpectAsync(app, "done")).Split(' '));
            }
            var wall = clock.Elapsed.TotalSeconds;
            var redisLoad = await load.ReadSettledAsync(quiet: 50 + (nodeCount * 10) + (appCount * 10));
            nodesCpu = Cpu(nodes) - nodesCpu;
            var jobs = perApp * appCount;
            var first = done.Min(d => long.Parse(d[1], CultureInfo.InvariantCulture));
            var last = done.Max(d => long.Parse(d[2], CultureInfo.InvariantCulture));
            var seconds = TimeSpan.FromTicks(last - first).TotalSeconds;
            var appCpu = TimeSpan.FromTicks(done.Sum(d => long.Parse(d[3], CultureInfo.InvariantCulture)));
            var latencies = samples.SelectMany(Read).ToArray();
            var (p50, p99, max) = Percentiles.Of(latencies);
            var topCommands = string.Join(" ", redisLoad.ByCommand.OrderByDescending(c => c.Value).Take(6)
                .Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Key}:{(double)c.Value / jobs:0.##}")));
            return new Figures("scale", "reactor")
                .Add("redis", backend)
                .Add("apps", appCount)
                .Add("nodes", nodeCount)
                .Add("storage", options.Storage)
                .Add("inflight_per_app", options.Inflight)
                .Add("jobs", jobs)
                .Add("seconds", seconds)
                .Add("wall_seconds", wall)
                .Add("jobs_per_sec", jobs / seconds)
                .Add("p50_ms", p50 / 1000.0)
                .Add("p99_ms", p99 / 1000.0)
                .Add("max_ms", max / 1000.0)
                .Add("redis_cmds_per_job", (double)redisLoad.Commands / jobs)
                .Add("redis_in_bytes_per_job", (double)redisLoad.InputBytes / jobs)
                .Add("redis_out_bytes_per_job", (double)redisLoad.OutputBytes / jobs)
                .Add("redis_cpu_us_per_job", (redisLoad.CpuSeconds - redisCpu) * 1e6 / jobs)
                .Add("master_share", string.Join("/", redisLoad.PerMaster.Select(c => string.Create(CultureInfo.InvariantCulture, $"{100.0 * c / Math.Max(1, redisLoad.Commands):0}%"))))
                .Add("app_cpu_us_per_job", appCpu.TotalMicroseconds / jobs)
                .Add("node_cpu_us_per_job", nodesCpu.TotalMicroseconds / jobs)
                .Add("top_cmds_per_job", topCommands)
                // Node record writes that failed (timed out in the client under overload): the
                // commands of those never reached Redis, so the per-job counts of such a row are low.
                .Add("node_store_failures", Volatile.Read(ref _storeFailures))
                .Add("load_average", Machine.LoadAverage());
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            throw new InvalidOperationException($"scale {backend} {appCount}x{nodeCount}: {e.Message}", e);
        }
        finally
        {
            foreach (var app in apps)
            {
                await StopAsync(app, closeInput: true);
            }
            foreach (var node in nodes)
            {
                await StopAsync(node, closeInput: false);
            }
            foreach (var path in samples)
            {
                File.Delete(path);
            }
        }
    }

    private static IEnumerable<long> Read(string path)
    {
        using var reader = new BinaryReader(File.OpenRead(path));
        var values = new long[reader.BaseStream.Length / sizeof(long)];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = reader.ReadInt64();
        }
        return values;
    }

    private static TimeSpan Cpu(IEnumerable<Process> processes)
    {
        var total = TimeSpan.Zero;
        foreach (var process in processes)
        {
            process.Refresh();
            total += process.TotalProcessorTime;
        }
        return total;
    }

    /// <summary>Waits for the next line of <paramref name="app"/> that starts with <paramref name="word"/>; any other line is echoed.</summary>
    private static async Task<string> ExpectAsync(Process app, string word)
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (true)
        {
            var line = await app.StandardOutput.ReadLineAsync(timeout.Token)
                ?? throw new InvalidOperationException($"an application process exited before '{word}'");
            if (line.StartsWith(word, StringComparison.Ordinal))
            {
                return line;
            }
            await Console.Error.WriteLineAsync("  app: " + line);
        }
    }

    private static Process Start((string File, string[] Prefix) command, IEnumerable<string> args, bool redirectInput)
    {
        var start = new ProcessStartInfo(command.File)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
            UseShellExecute = false,
        };
        foreach (var arg in command.Prefix.Concat(args))
        {
            start.ArgumentList.Add(arg);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{command.File} did not start");
        // Logs (links dropping as applications stop, warnings) go to the bench's stderr; an application's
        // stdout is its protocol with the bench, a node's is drained.
        process.ErrorDataReceived += (_, e) => Forward(e.Data);
        process.BeginErrorReadLine();
        if (!redirectInput)
        {
            process.OutputDataReceived += (_, e) => Forward(e.Data);
            process.BeginOutputReadLine();
        }
        return process;
    }

    private static void Forward(string? line)
    {
        if (line is not null && line.Contains("Job storage operation failed", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _storeFailures);
            return;
        }
        // Only what is worth a look: a scale run stops links on purpose, and nodes warn about each.
        if (line is not null && (line.Contains("fail", StringComparison.OrdinalIgnoreCase) || line.Contains("exception", StringComparison.OrdinalIgnoreCase))
            && !line.Contains("Connection refused", StringComparison.Ordinal))
        {
            Console.Error.WriteLine("  | " + line);
        }
    }

    private static async Task StopAsync(Process process, bool closeInput)
    {
        try
        {
            if (closeInput && !process.HasExited)
            {
                process.StandardInput.Close();
            }
            else if (!process.HasExited)
            {
                // SIGTERM: the node says goodbye to every distributor and exits.
                using var kill = Process.Start("kill", ["-TERM", $"{process.Id}"]);
                await kill.WaitForExitAsync();
            }
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        finally
        {
            process.Dispose();
        }
    }

    /// <summary>The <c>reactor</c> command (REACTOR_CLI, set to the Release build beside the bench).</summary>
    private static (string, string[]) Cli()
    {
        var cli = Environment.GetEnvironmentVariable("REACTOR_CLI") ?? throw new InvalidOperationException("REACTOR_CLI is not set and no built reactor.dll was found");
        return cli.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? ("dotnet", [cli]) : (cli, []);
    }

    /// <summary>This bench, to start as an application process.</summary>
    private static (string, string[]) Self()
    {
        var path = Environment.ProcessPath!;
        return Path.GetFileNameWithoutExtension(path) == "dotnet"
            ? (path, [typeof(ScaleScenario).Assembly.Location])
            : (path, []);
    }
}
