namespace Reactor.Bench;

/// <summary>
/// A distributor in this process and one or more <c>reactor node</c> child processes on loopback, loading
/// the bench jobs module from a temporary jobs directory: the deployment Reactor is meant for.
/// </summary>
internal sealed class ReactorRig : IAsyncDisposable
{
    private readonly string _jobsDirectory;

    private ReactorRig(ReactorHost host, IReadOnlyList<NodeProcess> nodes, string jobsDirectory)
    {
        Host = host;
        Nodes = nodes;
        _jobsDirectory = jobsDirectory;
    }

    public ReactorHost Host { get; }

    public ReactorDistributor Distributor => Host.Distributor;

    /// <summary>The first node process (the only one unless more were asked for).</summary>
    public NodeProcess Node => Nodes[0];

    public IReadOnlyList<NodeProcess> Nodes { get; }

    /// <summary>CPU time used so far by this process and every node process (user + system).</summary>
    public TimeSpan TotalCpu => Environment.CpuUsage.TotalTime + NodesCpu;

    /// <summary>CPU time used so far by the node processes, read by the OS (no job involved).</summary>
    public TimeSpan NodesCpu
    {
        get
        {
            var total = TimeSpan.Zero;
            foreach (var node in Nodes)
            {
                using var process = System.Diagnostics.Process.GetProcessById(node.Id);
                total += process.TotalProcessorTime;
            }
            return total;
        }
    }

    public static async Task<ReactorRig> StartAsync(BenchOptions options, string? redis, int nodeCount = 1)
    {
        LocateReleaseCli();
        var jobs = Directory.CreateTempSubdirectory("reactor-bench-jobs-").FullName;
        File.Copy(Path.Combine(AppContext.BaseDirectory, "BenchJobs", "Reactor.Bench.Jobs.dll"), Path.Combine(jobs, "Reactor.Bench.Jobs.dll"));
        var host = new ReactorHost();
        await host.StartDistributorAsync("127.0.0.1", 0, o =>
        {
            if (options.JournalAddress is { } journal)
            {
                o.Redis = journal;
                o.Name = $"bench-{Guid.NewGuid():N}";
                o.DurableEnqueue = options.Journal == "durable";
            }
        });
        List<string> extra = ["--log-job-processing", "false", "--log-level", "Warning"];
        if (options.Capacity is { } capacity)
        {
            extra.AddRange(["--capacity", $"{capacity}"]);
        }
        if (redis is not null)
        {
            extra.AddRange(["--storage", "redis", "--redis", redis]);
        }
        if (options.Otel)
        {
            using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
            probe.Start();
            extra.AddRange(["--metrics-port", $"{((System.Net.IPEndPoint)probe.LocalEndpoint).Port}"]);
        }
        var nodes = Enumerable.Range(0, nodeCount)
            .Select(i => NodeProcess.Start(nodeCount == 1 ? "bench-node" : $"bench-node-{i + 1}", $"127.0.0.1:{host.Distributor.Port}", jobs, [.. extra]))
            .ToList();
        try
        {
            await host.Distributor.WaitForNodesAsync(nodeCount).WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            throw new InvalidOperationException("the nodes did not connect:\n" + string.Join("\n", nodes.SelectMany(n => n.Output)));
        }
        return new ReactorRig(host, nodes, jobs);
    }

    /// <summary>The node's allocation, heap and CPU counters (the stats job runs after everything dispatched before it).</summary>
    public async Task<JobArgs> NodeStatsAsync(bool collect = false)
    {
        var result = await Distributor.EnqueueAsync("stats", new { collect });
        return result.Succeeded ? result.Args : throw new InvalidOperationException("stats job failed: " + result.Error);
    }

    /// <summary>Runs <paramref name="count"/> no-op jobs to completion (JIT, connection buffers, tiered compilation).</summary>
    public async Task WarmUpAsync(int count)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var left = count;
        for (var i = 0; i < count; i++)
        {
            Distributor.Enqueue("noop", null, null, _ =>
            {
                if (Interlocked.Decrement(ref left) == 0)
                {
                    done.TrySetResult();
                }
            });
        }
        await done.Task.WaitAsync(TimeSpan.FromMinutes(2));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            await node.StopAsync(TimeSpan.FromSeconds(10));
            await node.DisposeAsync();
        }
        await Host.DisposeAsync();
        Directory.Delete(_jobsDirectory, recursive: true);
    }

    /// <summary>Points NodeProcess at the reactor.dll built with this bench (Release), unless REACTOR_CLI says otherwise.</summary>
    internal static void LocateReleaseCli()
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("REACTOR_CLI")))
        {
            return;
        }
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // bin/<Configuration>/net10.0/
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var cli = Path.Combine(dir.FullName, "src", "Reactor.Cli", "bin", configuration, "net10.0", "reactor.dll");
            if (File.Exists(cli))
            {
                Environment.SetEnvironmentVariable("REACTOR_CLI", cli);
                return;
            }
        }
    }
}
