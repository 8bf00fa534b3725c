using System.Collections.Concurrent;
using System.Diagnostics;
using NUnit.Framework;
using Reactor.Storage.Discovery;
using Reactor.Tests.Integration.Services;
using Reactor.Tests.Integration.Support;
using StackExchange.Redis;

namespace Reactor.Tests.Integration.Discovery;

/// <summary>
/// A node process started with <c>--discover</c> follows the distributors announced in Redis: it joins
/// application instances that start while jobs flow, drops one that stops, and shrugs off fifty
/// records pointing at addresses where nothing listens. No job is lost and each feedback runs once.
/// </summary>
[TestFixture]
[CancelAfter(300_000)]
public sealed class DistributorDiscoveryTests
{
    private const int DeadRecords = 50;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Test]
    public async Task A_discovering_node_joins_instances_as_they_start_and_drops_them_as_they_stop_losing_no_job()
    {
        var redis = await TestServices.RedisAsync();
        var prefix = "disc" + Guid.NewGuid().ToString("N")[..8];
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis);
        var directory = new DistributorDirectory(connection.GetDatabase(), prefix);
        void Announce(DistributorOptions o, string name)
        {
            o.Redis = redis;
            o.KeyPrefix = prefix;
            o.Name = name;
            o.Announce = true;
            o.AnnounceTtl = TimeSpan.FromSeconds(3);
        }
        await using var a = await Cluster.StartAsync(o => Announce(o, "a"));
        await using var node = NodeProcess.Start("discovering_node", a.Address, Cluster.JobsDirectory,
            "--discover", redis, "--discover-prefix", prefix, "--log-job-processing", "false");
        await a.WaitForNodesAsync(1);
        var deadPorts = new List<int>();
        for (var i = 0; i < DeadRecords; i++)
        {
            // Announced at once, each naming a port nothing listens on; they lapse after 15 s.
            deadPorts.Add(RedisServerProcess.FreePort());
            await directory.AnnounceAsync(new DistributorRecord($"dead-{i}", $"127.0.0.1:{deadPorts[^1]}", "gone", DateTimeOffset.UtcNow.AddSeconds(15)));
        }
        await WaitUntilAsync(node, () => deadPorts.All(p => Lines(node).Any(l => l.Contains($"Discovered distributor at 127.0.0.1:{p};", StringComparison.Ordinal))));

        var feedback = new ConcurrentDictionary<string, int>();
        var enqueued = new ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();
        var flowing = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var key = $"a-{i}";
                a.Distributor.Enqueue("add", new { a = i, b = 1 }, success: _ => feedback.AddOrUpdate(key, 1, (_, n) => n + 1));
                enqueued.Add(key);
                await Task.Delay(10);
            }
        });

        var joined = Stopwatch.StartNew();
        string bAddress, cAddress;
        await using (var b = await Cluster.StartAsync(o => Announce(o, "b")))
        {
            bAddress = b.Address;
            await b.Distributor.WaitForNodesAsync(1).WaitAsync(Patience);
            TestContext.Out.WriteLine($"joined instance b {joined.ElapsedMilliseconds} ms after it started");
            await RunBatchAsync(b, "b", 200, feedback, enqueued);
            await using var c = await Cluster.StartAsync(o => Announce(o, "c"));
            cAddress = c.Address;
            await c.Distributor.WaitForNodesAsync(1).WaitAsync(Patience);
            await RunBatchAsync(c, "c", 200, feedback, enqueued);
            await WaitUntilAsync(node, () => Lines(node).Any(l => l.Contains("Discovered distributor at " + c.Address, StringComparison.Ordinal)));
        }
        // b and c stopped gracefully: their records are withdrawn and the node drops both links.
        string[] gone = [.. deadPorts.Select(p => $"127.0.0.1:{p}"), bAddress, cAddress];
        await WaitUntilAsync(node, () => gone.All(e => Lines(node).Any(l => l.Contains($"Distributor at {e} is no longer announced", StringComparison.Ordinal))));
        await stop.CancelAsync();
        await flowing;

        await WaitUntilAsync(() => enqueued.All(feedback.ContainsKey));
        var lost = enqueued.Count(k => !feedback.ContainsKey(k));
        var duplicates = feedback.Values.Sum(n => n - 1);
        TestContext.Out.WriteLine($"enqueued={enqueued.Count} lost={lost} duplicate_feedbacks={duplicates}");
        Assert.That(lost, Is.Zero);
        Assert.That(duplicates, Is.Zero);
        Assert.That(a.Distributor.ConnectedNodes, Has.Count.EqualTo(1), "the static link (also announced) is one link, kept throughout");
        Assert.That(await directory.LiveAsync(DateTimeOffset.UtcNow), Has.Count.EqualTo(1), "only a is still announced");
    }

    private static async Task RunBatchAsync(Cluster cluster, string tag, int count, ConcurrentDictionary<string, int> feedback, ConcurrentBag<string> enqueued)
    {
        var keys = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var key = $"{tag}-{i}";
            cluster.Distributor.Enqueue("add", new { a = i, b = 1 }, success: _ => feedback.AddOrUpdate(key, 1, (_, n) => n + 1));
            enqueued.Add(key);
            keys.Add(key);
        }
        // Settled before the instance stops: a stopping in-memory distributor fails what it still waits for.
        await WaitUntilAsync(() => keys.All(feedback.ContainsKey));
    }

    private static string[] Lines(NodeProcess node) => [.. node.Output];

    private static async Task WaitUntilAsync(NodeProcess node, Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "timed out; node output:\n" + string.Join("\n", Lines(node).TakeLast(80)));
            await Task.Delay(50);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "timed out");
            await Task.Delay(50);
        }
    }
}
