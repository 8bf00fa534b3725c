using System.Diagnostics;
using System.Globalization;
using NUnit.Framework;
using Reactor.Storage.Discovery;
using Reactor.Tests.Integration.Services;
using Reactor.Tests.Integration.Support;
using StackExchange.Redis;

namespace Reactor.Tests.Integration.Discovery;

/// <summary>
/// Discovery faults from issue 17: a record naming an address where nothing listens (the node keeps
/// redialling it with a growing backoff, not in a tight loop, and serves the live distributor the
/// whole time), and fifty live distributors announced at once (one node joins every one and runs a
/// job for each).
/// </summary>
[TestFixture]
[CancelAfter(300_000)]
public sealed class DiscoveryFaultTests
{
    private const int Announced = 50;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Test]
    public async Task A_record_naming_a_dead_address_is_redialled_with_backoff_while_the_live_distributor_is_served()
    {
        var redis = await TestServices.RedisAsync();
        var prefix = "dead" + Guid.NewGuid().ToString("N")[..8];
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis);
        var directory = new DistributorDirectory(connection.GetDatabase(), prefix);
        var deadPort = RedisServerProcess.FreePort();
        var dead = $"127.0.0.1:{deadPort}";
        await directory.AnnounceAsync(new DistributorRecord("dead", dead, "gone", DateTimeOffset.UtcNow.AddMinutes(5)));
        await using var live = await Cluster.StartAsync(o => Announce(o, redis, prefix, "live"));
        var node = live.StartNode("dead_record_node", "--discover", redis, "--discover-prefix", prefix);
        await live.WaitForNodesAsync(1);

        // Jobs through the live distributor while the node keeps failing to reach the dead one.
        var watch = Stopwatch.StartNew();
        var served = 0;
        while (watch.Elapsed < TimeSpan.FromSeconds(12))
        {
            var result = await live.Distributor.EnqueueAsync("add", new { a = served, b = 1 }).WaitAsync(Patience);
            Assert.That(result.Succeeded, Is.True, result.Error);
            served++;
            await Task.Delay(20);
        }
        var failures = node.Output.Where(l => l.Contains($"Link to distributor {dead} failed", StringComparison.Ordinal)).ToList();
        var times = failures.Select(Timestamp).OfType<TimeSpan>().ToList();
        var gaps = times.Zip(times.Skip(1), (a, b) => (b - a).TotalMilliseconds).ToList();
        TestContext.Out.WriteLine($"served={served} dial_failures={failures.Count} gaps_ms=[{string.Join(", ", gaps.Select(g => g.ToString("0", CultureInfo.InvariantCulture)))}]");
        Assert.That(failures, Has.Count.GreaterThanOrEqualTo(4), "the node keeps trying the announced address");
        // 100 ms doubling to 5 s: about eight attempts in 12 s; a tight 100 ms retry would make over a hundred.
        Assert.That(failures, Has.Count.LessThanOrEqualTo(15), "the retries back off");
        Assert.That(gaps, Has.Count.EqualTo(times.Count - 1).And.Count.GreaterThan(2), "every failure line carries a time stamp");
        Assert.That(gaps[^1], Is.GreaterThan(gaps[0] * 4), "the delay between attempts grows");
        Assert.That(live.Distributor.ConnectedNodes, Has.Count.EqualTo(1), "the live link stayed up throughout");
    }

    [Test]
    public async Task A_node_joins_fifty_distributors_announced_at_once_and_runs_a_job_for_each()
    {
        var redis = await TestServices.RedisAsync();
        var prefix = "fifty" + Guid.NewGuid().ToString("N")[..8];
        var instances = new List<Cluster>();
        try
        {
            for (var i = 0; i < Announced; i++)
            {
                // No journal (a memory distributor with a Redis directory only would need Redis anyway):
                // the point is fifty announcements and fifty links, not fifty journals.
                var name = $"inst-{i}";
                instances.Add(await Cluster.StartAsync(o =>
                {
                    Announce(o, redis, prefix, name);
                    o.DurableEnqueue = false;
                }));
            }
            var joined = Stopwatch.StartNew();
            var node = instances[0].StartNode("fifty_node", "--discover", redis, "--discover-prefix", prefix);
            foreach (var instance in instances)
            {
                await instance.Distributor.WaitForNodesAsync(1).WaitAsync(Patience);
            }
            var allJoined = joined.ElapsedMilliseconds;
            var results = await Task.WhenAll(instances.Select((c, i) => c.Distributor.EnqueueAsync("add", new { a = i, b = 1 }).WaitAsync(Patience)));
            TestContext.Out.WriteLine($"node joined all {Announced} distributors {allJoined} ms after it started (process start included)");
            Assert.That(results.Select(r => r.Succeeded), Is.All.True);
            Assert.That(results.Select(r => r.Args.Get<long>("sum")), Is.EqualTo(Enumerable.Range(1, Announced).Select(i => (long)i)),
                "each distributor got its own job's result");
            Assert.That(node.HasExited, Is.False);
        }
        finally
        {
            foreach (var instance in instances)
            {
                await instance.DisposeAsync();
            }
        }
    }

    [Test]
    public async Task A_result_held_for_a_distributor_whose_record_vanished_is_delivered_once_when_it_is_announced_again()
    {
        var redis = await TestServices.RedisAsync();
        var prefix = "gone" + Guid.NewGuid().ToString("N")[..8];
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis);
        var directory = new DistributorDirectory(connection.GetDatabase(), prefix);
        var marks = Directory.CreateTempSubdirectory("reactor-vanished-").FullName;
        try
        {
            // The node's static link goes to an anchor that is not announced; b is found by discovery only.
            // b renews its record every 20 s, so the test, not the renewal, decides when it reappears.
            await using var anchor = await Cluster.StartAsync();
            await using var b = await Cluster.StartAsync(o =>
            {
                Announce(o, redis, prefix, "b");
                o.AnnounceTtl = TimeSpan.FromMinutes(1);
            });
            await using var node = NodeProcess.Start("vanished_node", anchor.Address, Cluster.JobsDirectory,
                "--discover", redis, "--discover-prefix", prefix, "--log-job-processing", "false");
            await b.Distributor.WaitForNodesAsync(1).WaitAsync(Patience);
            var record = (await directory.LiveAsync(DateTimeOffset.UtcNow)).Single();

            var result = b.Distributor.EnqueueAsync("sleep_mark", new { ms = 3000, dir = marks, i = 1 });
            await Task.Delay(500); // dispatched and running
            await connection.GetDatabase().HashDeleteAsync(directory.Key, "b");
            await WaitUntilAsync(() => node.Output.Any(l => l.Contains($"Distributor at {b.Address} is no longer announced", StringComparison.Ordinal)), node);
            // The job finishes on the node while no link to b exists: its result has nowhere to go yet.
            await WaitUntilAsync(() => Directory.GetFiles(marks).Length == 1, node);
            Assert.That(result.IsCompleted, Is.False, "b cannot have heard the result: the node dropped its link");

            await directory.AnnounceAsync(record);
            var outcome = await result.WaitAsync(Patience);
            Assert.That(outcome.Succeeded, Is.True, outcome.Error);
            // b dispatched the unsettled job again on the new link; the node answered from the result it
            // kept (no second run).
            await Task.Delay(1_000);
            Assert.That(Directory.GetFiles(marks), Has.Length.EqualTo(1), "the job ran once");
        }
        finally
        {
            Directory.Delete(marks, recursive: true);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, NodeProcess node)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "timed out; node output:\n" + string.Join("\n", node.Output.TakeLast(60)));
            await Task.Delay(50);
        }
    }

    private static void Announce(DistributorOptions o, string redis, string prefix, string name)
    {
        o.Redis = redis;
        o.KeyPrefix = prefix;
        o.Name = name;
        o.Announce = true;
        o.AnnounceTtl = TimeSpan.FromSeconds(5);
    }

    /// <summary>The HH:mm:ss.fff stamp the node's console log puts first on each line.</summary>
    private static TimeSpan? Timestamp(string line) =>
        line.Length >= 12 && TimeSpan.TryParseExact(line[..12], @"hh\:mm\:ss\.fff", CultureInfo.InvariantCulture, out var t) ? t : null;
}
