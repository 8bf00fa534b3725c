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

    /// <summary>
    /// The distributor re-sends a dead node's jobs anyway, so "each feedback runs once" alone cannot tell
    /// whether the node resumed anything. Here every job is routed only to the node "durable"
    /// (AlwaysUseSpecifiedNode), the kill lands while half the jobs are running (held until the test
    /// releases them) and half are parked on timers, and the restarted node must (a) resume all of them
    /// from storage before the distributor's copies arrive, (b) recognise every copy by id instead of
    /// running it again, and (c) continue the stored attempt count: a resumed running job starts
    /// attempt 2, a re-sent copy run from scratch would start attempt 1.
    /// </summary>
    [Test]
    public async Task A_node_with_redis_killed_and_restarted_resumes_its_jobs_and_each_feedback_runs_once()
    {
        const int Running = 10;
        const int Parked = 10;
        await using var redis = await StartRedisAsync(RedisServerProcess.FreePort());
        await using var cluster = await Cluster.StartAsync(o => o.AlwaysUseSpecifiedNode = true);
        string[] nodeArgs = ["--storage", "redis", "--redis", redis.Address, "--capacity", "40", "--merge-job-itself", "true",
            "--log-job-processing", "false", "--log-level", "Information"];
        var dir = Directory.CreateDirectory(Path.Combine(_dataDir, "marks")).FullName;
        var victim = NodeProcess.Start("durable", cluster.Address, Cluster.JobsDirectory, nodeArgs);
        await using var victimGuard = victim;
        await cluster.WaitForNodesAsync(1);
        var count = new DeliveryCount();
        var errors = 0;
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        var route = new EnqueueOptions { Node = "durable" };
        foreach (var (key, options) in Enumerable.Range(0, Running).Select(i => ($"r{i}", route))
            .Concat(Enumerable.Range(0, Parked).Select(i => ($"p{i}", route with { After = TimeSpan.FromSeconds(4) }))))
        {
            ids[key] = cluster.Distributor.Enqueue("resume_hold", new { dir, key }, options,
                success: a => count.Feedback(a.Get<string>("key")), error: _ => Interlocked.Increment(ref errors));
            count.Enqueued(key);
        }
        await using var monitor = await RedisMonitor.ConnectAsync(redis.Address);
        await WaitUntilAsync(async () => Marks(dir, "start-r", victim.Id).Length == Running
            && (await monitor.JobsForAsync("durable")).Count == Running + Parked, "running jobs started and every job stored");

        victim.Kill();
        await victim.WaitForExitAsync();
        await using var heir = NodeProcess.Start("durable", cluster.Address, Cluster.JobsDirectory, nodeArgs);
        // Evidence that the copies reached the node and were recognised: one adoption line per job.
        await WaitUntilAsync(() => Task.FromResult(ids.Values.All(id => heir.Output.Any(l => l.Contains(id, StringComparison.Ordinal)
            && l.Contains("was sent again", StringComparison.Ordinal)))), "every re-sent copy adopted by the resumed job");
        await File.WriteAllTextAsync(Path.Combine(dir, "release"), "");
        await count.WaitForAllAsync(Patience);

        count.AssertNothingLostOrDuplicated();
        var resumedLine = heir.Output.FirstOrDefault(l => l.Contains("unfinished jobs of node durable", StringComparison.Ordinal)) ?? "";
        TestContext.Out.WriteLine($"running at kill={Running} parked at kill={Parked} resumed: '{resumedLine.Trim()}' errors={errors}");
        Assert.Multiple(() =>
        {
            Assert.That(errors, Is.Zero, "no error feedback");
            Assert.That(resumedLine, Does.Contain($"Resumed {Running + Parked} unfinished jobs"), "all jobs resumed from storage");
            foreach (var (key, _) in ids)
            {
                Assert.That(Marks(dir, $"done-{key}-", victim.Id), Is.Empty, $"{key} did not finish on the killed node");
                Assert.That(Marks(dir, $"done-{key}-", heir.Id), Has.Length.EqualTo(1), $"{key} ran to completion once");
                Assert.That(Marks(dir, $"start-{key}-", heir.Id), Has.Length.EqualTo(1), $"{key} started once on the restarted node");
            }
            for (var i = 0; i < Running; i++)
            {
                // Attempt 2: the killed attempt counted, so this run continued the stored record.
                Assert.That(Marks(dir, $"start-r{i}-", heir.Id).Select(Path.GetFileName),
                    Has.All.StartWith($"start-r{i}-{heir.Id}-a2-"), $"r{i} was resumed from storage, not only re-sent");
            }
        });
    }

    private static string[] Marks(string dir, string prefix, int pid) =>
        Directory.GetFiles(dir, prefix + "*").Where(f => Path.GetFileName(f).Contains($"-{pid}-", StringComparison.Ordinal)).ToArray();

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out waiting until {what}");
            }
            await Task.Delay(50);
        }
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
