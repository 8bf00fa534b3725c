using NUnit.Framework;
using Reactor.Tests.Integration.Cli;
using Reactor.Tests.Integration.Services;
using Reactor.Tests.Integration.Support;

namespace Reactor.Tests.Integration.Observability;

/// <summary><c>reactor monitor nodes</c> reads the snapshot a distributor with a Redis journal publishes.</summary>
[TestFixture]
[CancelAfter(120_000)]
public sealed class MonitorNodesTests
{
    [Test]
    public async Task Monitor_nodes_shows_the_connected_nodes_pending_jobs_and_recent_results_from_redis()
    {
        var redis = await TestServices.RedisAsync();
        var prefix = "mon" + Guid.NewGuid().ToString("N")[..8];
        await using var cluster = await Cluster.StartAsync(o => (o.Redis, o.KeyPrefix, o.Name) = (redis, prefix, "shop"));
        cluster.StartNode("watched");
        await cluster.WaitForNodesAsync(1);
        var added = await cluster.Distributor.EnqueueAsync("add", new { a = 1, b = 2 }).WaitAsync(Cluster.Patience);

        // Published every 5 s: wait for a snapshot that already holds the result.
        CliResult run = null!;
        var shown = await Wait.UntilAsync(() =>
        {
            run = CliProcess.RunAsync(["monitor", "--redis", redis, "--prefix", prefix, "nodes", "--name", "shop"]).GetAwaiter().GetResult();
            return run.ExitCode == 0 && run.Stdout.Contains(added.JobId, StringComparison.Ordinal);
        }, Cluster.Patience);

        Assert.That(shown, Is.True, run.ToString());
        Assert.That(run.Stdout, Does.Contain($"distributor {prefix}:shop on {cluster.Address}"));
        Assert.That(run.Stdout, Does.Match(@"(?m)^watched\s+127\.0\.0\.1:\d+\s+\d+\s+0\s"));
        Assert.That(run.Stdout, Does.Match($@"(?m)^.*Succeeded\s+add\s+{added.JobId}"));
        Assert.That(run.Stdout, Does.Contain("1 succeeded, 0 failed, 0 cancelled"));
    }

    [Test]
    public async Task Monitor_nodes_without_a_snapshot_says_why_and_exits_1()
    {
        var redis = await TestServices.RedisAsync();

        var run = await CliProcess.RunAsync(["monitor", "--redis", redis, "--prefix", "nothing" + Guid.NewGuid().ToString("N")[..8], "nodes"]);

        Assert.That(run.ExitCode, Is.EqualTo(1), run.ToString());
        Assert.That(run.Stderr, Does.Contain("no snapshot of distributor 'default'").And.Contain("DistributorOptions.Redis"));
    }
}
