using NUnit.Framework;
using Reactor.Tests.Integration.Services;
using Reactor.Tests.Integration.Support;

namespace Reactor.Tests.Integration.Reliability;

/// <summary>
/// Real processes, a real redis-server and real faults: SIGKILL, a Redis restart, a cut link.
/// Each test reports enqueued, completed, duplicates and lost, and requires lost = 0.
/// </summary>
[TestFixture]
[CancelAfter(240_000)]
[NonParallelizable]
public sealed class FaultTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private string _dataDir = null!;

    [SetUp]
    public void SetUp() => _dataDir = Directory.CreateTempSubdirectory("reactor-fault-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dataDir, recursive: true);

    private Task<RedisServerProcess> StartRedisAsync(int port) =>
        RedisServerProcess.StartAsync(port, "--appendonly", "yes", "--appendfsync", "always", "--dir", _dataDir);

    [Test]
    public async Task Redis_restarted_mid_run_loses_no_job_and_everyone_reconnects_by_themselves()
    {
        var redisPort = RedisServerProcess.FreePort();
        var redis = await StartRedisAsync(redisPort);
        await using var cluster = await Cluster.StartAsync(o =>
        {
            o.Redis = redis.Address;
            o.Name = "redis-restart";
        });
        cluster.StartNode("redis_node", "--storage", "redis", "--redis", redis.Address, "--capacity", "10");
        await cluster.WaitForNodesAsync(1);
        var count = new DeliveryCount();
        for (var i = 0; i < 400; i++)
        {
            var key = $"k{i}";
            count.Enqueued(key);
            cluster.Distributor.Enqueue("sleep", new { key, ms = 50 }, success: a => count.Feedback(a.Get<string>("key")));
        }

        await Task.Delay(500);
        await redis.DisposeAsync(); // SIGKILL mid-run
        await Task.Delay(1000);
        await using var restarted = await StartRedisAsync(redisPort);
        await count.WaitForAllAsync(Patience);

        count.AssertNothingLostOrDuplicated();
        var after = await cluster.Distributor.EnqueueAsync("add", new { a = 1, b = 2 }).WaitAsync(Patience);
        JobResult? stored = null;
        for (var i = 0; i < 100 && stored is null; i++)
        {
            stored = await cluster.Distributor.GetResultAsync(after.JobId);
            await Task.Delay(100);
        }
        Assert.That(stored?.Args.Get<long>("sum"), Is.EqualTo(3), "the distributor's journal works again");
        var parked = cluster.Distributor.Enqueue("add", new { a = 1, b = 1 }, new EnqueueOptions { After = TimeSpan.FromSeconds(30) });
        await using var monitor = await RedisMonitor.ConnectAsync(restarted.Address);
        var held = false;
        for (var i = 0; i < 100 && !held; i++)
        {
            held = (await monitor.JobsForAsync("redis_node")).Any(r => r.Id == parked);
            await Task.Delay(100);
        }
        Assert.That(held, Is.True, "the node stores jobs in Redis again");
    }

    [Test]
    public async Task A_dropped_and_restored_link_loses_no_job()
    {
        await using var cluster = await Cluster.StartAsync();
        await using var proxy = new TcpProxy(cluster.Distributor.Port);
        await using var node = NodeProcess.Start("behind_proxy", $"127.0.0.1:{proxy.Port}", Cluster.JobsDirectory,
            "--log-job-processing", "false", "--capacity", "50");
        await cluster.WaitForNodesAsync(1);
        var count = new DeliveryCount();
        for (var i = 0; i < 300; i++)
        {
            var key = $"k{i}";
            count.Enqueued(key);
            cluster.Distributor.Enqueue("sleep", new { key, ms = 100 }, success: a => count.Feedback(a.Get<string>("key")));
        }

        await Task.Delay(300);
        proxy.Drop();
        await Task.Delay(1000);
        proxy.Restore();
        await count.WaitForAllAsync(Patience);

        count.AssertNothingLostOrDuplicated();
        Assert.That(cluster.Distributor.ConnectedNodes, Is.EqualTo(new[] { "behind_proxy" }), "the node reconnected by itself");
    }

    [Test]
    public async Task A_node_with_redis_killed_and_restarted_resumes_its_jobs_and_each_feedback_runs_once()
    {
        await using var redis = await StartRedisAsync(RedisServerProcess.FreePort());
        await using var cluster = await Cluster.StartAsync();
        var victim = cluster.StartNode("durable", "--storage", "redis", "--redis", redis.Address);
        await cluster.WaitForNodesAsync(1);
        var count = new DeliveryCount();
        for (var i = 0; i < 50; i++)
        {
            var key = $"k{i}";
            count.Enqueued(key);
            cluster.Distributor.Enqueue("add", new { key, a = i, b = 1 }, new EnqueueOptions { After = TimeSpan.FromSeconds(3) },
                success: a => count.Feedback(a.Get<string>("key")));
        }
        await using var monitor = await RedisMonitor.ConnectAsync(redis.Address);
        while ((await monitor.JobsForAsync("durable")).Count < 50)
        {
            await Task.Delay(50);
        }

        victim.Kill();
        cluster.StartNode("durable", "--storage", "redis", "--redis", redis.Address);
        await count.WaitForAllAsync(Patience);

        count.AssertNothingLostOrDuplicated();
    }

    [Test]
    public async Task Redis_unreachable_at_start_is_reported_and_retried_without_a_crash()
    {
        var redisPort = RedisServerProcess.FreePort();
        var address = $"127.0.0.1:{redisPort}";
        await using var cluster = await Cluster.StartAsync();
        var node = cluster.StartNode("patient", "--storage", "redis", "--redis", address);
        var distributor = new ReactorDistributor(new DistributorOptions { Port = 0, Redis = address, Name = "patient-app" }, cluster.Logs.Factory);
        var starting = distributor.StartAsync();

        Assert.That(await cluster.Logs.WaitForAsync("Durable journal unavailable", Patience), Is.True, "the distributor says why it waits");
        for (var i = 0; i < 300 && !node.Output.Any(l => l.Contains("unreachable", StringComparison.Ordinal)); i++)
        {
            await Task.Delay(100);
        }
        Assert.That(node.Output.Any(l => l.Contains("unreachable", StringComparison.Ordinal)), Is.True, "the node says why it waits");
        Assert.That(node.HasExited, Is.False, "the node keeps trying");
        Assert.That(cluster.Distributor.ConnectedNodes, Is.Empty);
        Assert.That(starting.IsCompleted, Is.False, "the durable distributor keeps trying");

        await using var redis = await StartRedisAsync(redisPort);
        await starting.WaitAsync(Patience);
        await cluster.WaitForNodesAsync(1);
        var result = await cluster.Distributor.EnqueueAsync("add", new { a = 2, b = 2 }).WaitAsync(Patience);
        Assert.That(result.Args.Get<long>("sum"), Is.EqualTo(4));
        await distributor.DisposeAsync();
    }
}
