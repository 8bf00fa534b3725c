namespace Reactor.Tests.Integration.Support;

/// <summary>
/// A distributor in the test process plus real <c>reactor node</c> child processes that load the
/// Reactor.TestJobs module, all on loopback with an ephemeral port.
/// </summary>
internal sealed class Cluster : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly List<NodeProcess> _processes = [];

    private Cluster(ReactorHost host, CapturedLogs logs)
    {
        Host = host;
        Logs = logs;
    }

    public ReactorHost Host { get; }

    public CapturedLogs Logs { get; }

    public ReactorDistributor Distributor => Host.Distributor;

    public string Address => $"127.0.0.1:{Distributor.Port}";

    public static string JobsDirectory => Path.Combine(AppContext.BaseDirectory, "TestJobs");

    public static async Task<Cluster> StartAsync(Action<DistributorOptions>? configure = null, TimeProvider? time = null)
    {
        var logs = new CapturedLogs();
        var host = new ReactorHost(logs.Factory, time);
        await host.StartDistributorAsync("127.0.0.1", 0, configure);
        return new Cluster(host, logs);
    }

    /// <summary>Starts a node process; quiet by default so thousands of jobs do not flood the output.</summary>
    public NodeProcess StartNode(string name, params string[] extraArgs)
    {
        string[] quiet = ["--log-job-processing", "false", "--log-level", "Warning"];
        var process = NodeProcess.Start(name, Address, JobsDirectory, [.. quiet, .. extraArgs]);
        _processes.Add(process);
        return process;
    }

    /// <summary>Waits until the distributor sees <paramref name="count"/> nodes, failing with the nodes' output if it does not.</summary>
    public async Task WaitForNodesAsync(int count)
    {
        try
        {
            await Distributor.WaitForNodesAsync(count).WaitAsync(Patience);
        }
        catch (TimeoutException)
        {
            var output = string.Join("\n", _processes.SelectMany(p => p.Output.Select(l => $"[{p.Name}] {l}")));
            throw new TimeoutException($"only {Distributor.ConnectedNodes.Count} of {count} nodes connected. Node output:\n{output}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }
        await Host.DisposeAsync();
        Logs.Dispose();
    }
}
