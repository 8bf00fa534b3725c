using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using NUnit.Framework;
using Reactor.Tests.Integration.Services;
using Reactor.Tests.Integration.Support;

namespace Reactor.Tests.Integration.Reliability;

/// <summary>
/// Redis behind a real Sentinel: a master (AOF, <c>appendfsync always</c>) and a replica on free
/// ports, one <c>redis-server --sentinel</c> watching them. The distributor (durable journal) and a
/// node process (job records in Redis) are given only the sentinel and <c>serviceName=</c>; they reach
/// the master through StackExchange.Redis. The master is SIGKILLed mid-run, Sentinel promotes the
/// replica, and enqueues go on through the failover: every Enqueue that returned runs and reports
/// once, the ones issued while there was no master throw <see cref="JournalWriteException"/> (the run
/// prints the window), and the old master, restarted from its AOF, rejoins as a replica.
/// </summary>
[TestFixture]
[CancelAfter(300_000)]
[NonParallelizable]
public sealed class RedisSentinelFailoverTests
{
    private const int KillAt = 300;
    private const int AfterFailover = 300;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Test]
    public async Task A_master_killed_under_sentinel_is_replaced_by_its_replica_and_jobs_keep_flowing_with_none_lost()
    {
        var root = Directory.CreateTempSubdirectory("reactor-sentinel-data-").FullName;
        try
        {
            await RunAsync(root);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task RunAsync(string root)
    {
        var masterPort = RedisServerProcess.FreePort();
        var masterDir = Directory.CreateDirectory(Path.Combine(root, "master")).FullName;
        string[] masterArgs = ["--dir", masterDir, "--appendonly", "yes", "--appendfsync", "always"];
        var master = await RedisServerProcess.StartAsync(masterPort, masterArgs);
        await using var masterOwner = master;
        var replicaDir = Directory.CreateDirectory(Path.Combine(root, "replica")).FullName;
        await using var replica = await RedisServerProcess.StartAsync("--dir", replicaDir, "--replicaof", "127.0.0.1", $"{masterPort}");
        await WaitAsync(() => ReplicationAsync(replica.Port, "master_link_status:up"), "the replica to sync with the master");
        await using var sentinel = await RedisSentinelProcess.StartAsync(masterPort);
        await WaitAsync(async () => (await CliAsync(sentinel.Port, "sentinel", "replicas", RedisSentinelProcess.ServiceName)).Contains($"{replica.Port}", StringComparison.Ordinal),
            "the sentinel to see the replica");

        var name = "sentinel-" + Guid.NewGuid().ToString("N")[..6];
        await using var cluster = await Cluster.StartAsync(o =>
        {
            o.Redis = sentinel.Address;
            o.Name = name;
            o.DurableEnqueue = true;
        });
        cluster.StartNode("sentinel_node", "--storage", "redis", "--redis", sentinel.Address);
        await cluster.WaitForNodesAsync(1);

        var feedback = new ConcurrentDictionary<int, int>();
        var returned = new ConcurrentBag<int>();
        var refused = 0;
        var afterFailover = 0;
        var next = 0;
        var clock = Stopwatch.StartNew();
        TimeSpan? firstRefused = null, lastRefused = null, firstAfterPromotion = null;
        bool Enqueue()
        {
            var n = next++;
            try
            {
                cluster.Distributor.Enqueue("add", new { a = n, b = 1 }, success: _ => feedback.AddOrUpdate(n, 1, (_, c) => c + 1));
                returned.Add(n);
                return true;
            }
            catch (JournalWriteException)
            {
                refused++;
                firstRefused ??= clock.Elapsed;
                lastRefused = clock.Elapsed;
                return false;
            }
        }
        while (next < KillAt)
        {
            Enqueue();
        }
        await master.KillAsync();
        var killedAt = clock.Elapsed;
        TestContext.Out.WriteLine($"killed the master on port {masterPort} after {KillAt} enqueues");
        // Enqueues go on while Sentinel notices (1 s down-after) and promotes the replica ...
        var deadline = DateTime.UtcNow + Patience;
        while (await sentinel.MasterPortAsync() != replica.Port && DateTime.UtcNow < deadline)
        {
            Enqueue();
            await Task.Delay(20);
        }
        var promotedAt = clock.Elapsed;
        Assert.That(await sentinel.MasterPortAsync(), Is.EqualTo(replica.Port), "Sentinel promoted the replica");
        // ... and after: StackExchange.Redis follows the sentinel to the new master.
        while (afterFailover < AfterFailover && DateTime.UtcNow < deadline)
        {
            if (Enqueue())
            {
                firstAfterPromotion ??= clock.Elapsed;
                afterFailover++;
            }
            else
            {
                await Task.Delay(20);
            }
        }

        deadline = DateTime.UtcNow + Patience;
        while (returned.Any(n => !feedback.ContainsKey(n)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
        var lost = returned.Count(n => !feedback.ContainsKey(n));
        var duplicates = feedback.Values.Sum(c => c - 1);
        static string Ms(TimeSpan? t, TimeSpan from) => t is { } v ? ((v - from).TotalMilliseconds).ToString("0", CultureInfo.InvariantCulture) : "-";
        TestContext.Out.WriteLine($"enqueued={next} returned={returned.Count} refused={refused} returned_after_failover={afterFailover} lost={lost} duplicate_feedbacks={duplicates}");
        TestContext.Out.WriteLine($"after the kill (ms): promoted={Ms(promotedAt, killedAt)} first_refused={Ms(firstRefused, killedAt)} " +
            $"last_refused={Ms(lastRefused, killedAt)} first_enqueue_after_promotion={Ms(firstAfterPromotion, killedAt)}");
        Assert.That(lost, Is.Zero, "every job whose Enqueue returned ran and reported");
        Assert.That(duplicates, Is.Zero, "each feedback ran once");
        Assert.That(feedback.Keys.Except(returned), Is.Empty, "no feedback for a job whose Enqueue threw");
        Assert.That(afterFailover, Is.EqualTo(AfterFailover), "the journal took writes again on the promoted replica");

        // The old master comes back from its AOF as a master of its own, until Sentinel turns it into a
        // replica of the new one (a full resync replaces what the AOF held).
        var restarted = await RedisServerProcess.StartAsync(masterPort, masterArgs);
        await using var restartedOwner = restarted;
        var back = Stopwatch.StartNew();
        await WaitAsync(() => ReplicationAsync(masterPort, "role:slave", $"master_port:{replica.Port}", "master_link_status:up"),
            "the restarted old master to become a replica of the promoted one");
        TestContext.Out.WriteLine($"old master restarted from its AOF rejoined as a replica in {back.ElapsedMilliseconds} ms");
        Assert.That(await sentinel.MasterPortAsync(), Is.EqualTo(replica.Port), "the promoted replica stays the master");
        Assert.That(await cluster.Distributor.EnqueueAsync("add", new { a = 1, b = 2 }).WaitAsync(Patience), Has.Property("Succeeded").True);
    }

    private static async Task<bool> ReplicationAsync(int port, params string[] expected)
    {
        try
        {
            var info = await CliAsync(port, "info", "replication");
            return expected.All(e => info.Contains(e, StringComparison.Ordinal));
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static Task<string> CliAsync(int port, params string[] args) =>
        RedisClusterProcess.RunCliAsync(["-p", port.ToString(CultureInfo.InvariantCulture), .. args]);

    private static async Task WaitAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"timed out waiting for {what}");
            await Task.Delay(200);
        }
    }
}
