using NUnit.Framework;
using Reactor.Tests.Integration.Services;
using Reactor.Tests.Integration.Support;
using StackExchange.Redis;

namespace Reactor.Tests.Integration.Scheduling;

/// <summary>
/// One <c>DistributorOptions.Limit</c> shared by application processes on one Redis (Reactor.TestApp
/// "limit" mode): the limit holds for all of them together, and the slots of an application killed
/// with SIGKILL come back when its leases expire.
/// </summary>
[TestFixture]
[CancelAfter(300_000)]
[NonParallelizable]
public sealed class GlobalLimitTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    /// <summary>
    /// Two apps, each with Limit("span", concurrency: 3) and 40 jobs of 150 ms, on two nodes connected
    /// to both with room for 10 each. Per app the limit alone would allow 6 at once; together, the jobs'
    /// own stamps never show more than 3.
    /// </summary>
    [Test]
    public async Task Two_apps_on_one_redis_share_one_concurrency_limit()
    {
        const int PerApp = 40;
        var spans = await RunTwoAppsAsync(PerApp, concurrency: 3, perSecond: 0, ms: 150);

        var all = spans.A.Concat(spans.B).ToList();
        var max = LimitSpans.MaxOverlap(all);
        TestContext.Out.WriteLine($"most at once: both apps {max}, app A alone {LimitSpans.MaxOverlap(spans.A)}, app B alone {LimitSpans.MaxOverlap(spans.B)}");
        Assert.Multiple(() =>
        {
            Assert.That(max, Is.LessThanOrEqualTo(3), "the limit is global");
            Assert.That(max, Is.EqualTo(3), "the limit was reached");
            Assert.That(spans.A.Min(s => s.Start), Is.LessThan(spans.B.Max(s => s.Stop)), "the apps ran at the same time");
            Assert.That(spans.B.Min(s => s.Start), Is.LessThan(spans.A.Max(s => s.Stop)), "the apps ran at the same time");
        });
    }

    /// <summary>Two apps, each with Limit("span", perSecond: 20): together they start 200 jobs in 10 s, within 10 %.</summary>
    [Test]
    public async Task Two_apps_on_one_redis_share_one_rate_limit()
    {
        const int PerApp = 150;
        var spans = await RunTwoAppsAsync(PerApp, concurrency: 0, perSecond: 20, ms: 0);

        var all = spans.A.Concat(spans.B).ToList();
        var inTen = LimitSpans.StartedWithin(all, TimeSpan.FromSeconds(10));
        TestContext.Out.WriteLine($"{inTen} starts in the first 10 s (setting 200); busiest second {LimitSpans.BusiestSecond(all)}; "
            + $"A {spans.A.Count}, B {spans.B.Count}");
        Assert.That(inTen, Is.InRange(180, 220));
    }

    /// <summary>
    /// An app holding both slots of Limit("span", concurrency: 2) with minute-long jobs is killed with
    /// SIGKILL. Another app's jobs wait until the killed app's leases expire (LimitLeaseTtl 3 s, renewed
    /// every second, so 2–3 s after the kill), then run, long before the killed app's jobs would end.
    /// </summary>
    [Test]
    public async Task A_killed_apps_concurrency_leases_expire_and_its_slots_come_back()
    {
        var redis = await TestServices.RedisAsync();
        var prefix = $"limit-{Guid.NewGuid():N}";
        var port = RedisServerProcess.FreePort();
        await using var node = NodeProcess.Start($"lease_node_{prefix[^6..]}", $"127.0.0.1:{port}", Cluster.JobsDirectory,
            ["--capacity", "10", "--log-job-processing", "false", "--log-level", "Warning"]);
        await using var victim = ChildProcess.StartRepoApp("Reactor.TestApp", "limit", $"{port}", redis, $"victim-{prefix}", prefix, "2", "2", "0", "60000", "3");
        await victim.WaitForLineAsync("inflight 2", Patience);
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis);
        var held = (RedisKey)$"{prefix}:limit:{{span}}:held";
        Assert.That((await connection.GetDatabase().HashGetAllAsync(held)).Select(e => (int)e.Value), Is.EqualTo(new[] { 2 }),
            "the victim holds both slots in Redis");

        victim.Kill();
        var killedAt = DateTime.UtcNow;
        await using var cluster = await Cluster.StartAsync(o =>
        {
            o.Redis = redis;
            o.Name = $"survivor-{prefix}";
            o.KeyPrefix = prefix;
            o.LimitLeaseTtl = TimeSpan.FromSeconds(3);
            o.Limit("span", concurrency: 2);
        });
        cluster.StartNode($"survivor_node_{prefix[^6..]}", "--capacity", "10");
        await cluster.WaitForNodesAsync(1);
        var spans = new LimitSpans();
        for (var i = 0; i < 2; i++)
        {
            cluster.Distributor.Enqueue("span", new { ms = 50 }, success: spans.Add);
        }
        await LimitTests.WaitAsync(() => spans.Count == 2, Task.CompletedTask);

        var waited = new DateTime(spans.All.Min(s => s.Start), DateTimeKind.Utc) - killedAt;
        TestContext.Out.WriteLine($"first start {waited.TotalSeconds:0.00} s after the kill");
        Assert.That(waited, Is.GreaterThan(TimeSpan.FromSeconds(1.5)), "the killed app's leases held until they expired");
        Assert.That(waited, Is.LessThan(TimeSpan.FromSeconds(30)), "and then came back, long before its own jobs would have ended");
    }

    /// <summary>
    /// A distributor that stops gracefully hands its slots back at once, not after LimitLeaseTtl (60 s
    /// here): the held count in Redis is gone within seconds of StopAsync, while its jobs still run.
    /// </summary>
    [Test]
    public async Task A_graceful_stop_hands_the_slots_back_at_once()
    {
        var redis = await TestServices.RedisAsync();
        var prefix = $"limit-{Guid.NewGuid():N}";
        await using var cluster = await Cluster.StartAsync(o =>
        {
            o.Redis = redis;
            o.Name = $"stopping-{prefix}";
            o.KeyPrefix = prefix;
            o.LimitLeaseTtl = TimeSpan.FromSeconds(60);
            o.Limit("span", concurrency: 2);
        });
        cluster.StartNode($"stop_node_{prefix[^6..]}", "--capacity", "10");
        await cluster.WaitForNodesAsync(1);
        for (var i = 0; i < 3; i++)
        {
            cluster.Distributor.Enqueue("span", new { ms = 60_000 });
        }
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis);
        var db = connection.GetDatabase();
        var held = (RedisKey)$"{prefix}:limit:{{span}}:held";
        await LimitTests.WaitAsync(() => cluster.Distributor.InFlightCount == 2 && db.HashValues(held).Sum(v => (int)v) == 2, Task.CompletedTask);
        Assert.That(cluster.Distributor.PendingCount, Is.EqualTo(1), "the third waits for a slot");

        var stopping = DateTime.UtcNow;
        await cluster.Distributor.StopAsync();
        await LimitTests.WaitAsync(() => !db.KeyExists(held), Task.CompletedTask);

        Assert.That(DateTime.UtcNow - stopping, Is.LessThan(TimeSpan.FromSeconds(30)), "long before the 60 s lease would expire");
        Assert.That(await db.KeyExistsAsync($"{prefix}:limit:{{span}}:alive"), Is.False);
    }

    private static async Task<(List<LimitSpans.Span> A, List<LimitSpans.Span> B)> RunTwoAppsAsync(int perApp, int concurrency, double perSecond, int ms)
    {
        var redis = await TestServices.RedisAsync();
        var prefix = $"limit-{Guid.NewGuid():N}";
        var (portA, portB) = (RedisServerProcess.FreePort(), RedisServerProcess.FreePort());
        string[] both = ["--distributor", $"127.0.0.1:{portB}", "--capacity", "10", "--log-job-processing", "false", "--log-level", "Warning"];
        var nodes = Enumerable.Range(1, 2)
            .Select(i => NodeProcess.Start($"global_limit_node_{i}_{prefix[^6..]}", $"127.0.0.1:{portA}", Cluster.JobsDirectory, both)).ToList();
        try
        {
            string[] limit = [prefix, $"{perApp}", $"{concurrency}", perSecond.ToString(System.Globalization.CultureInfo.InvariantCulture), $"{ms}", "10"];
            await using var appA = ChildProcess.StartRepoApp("Reactor.TestApp", ["limit", $"{portA}", redis, $"app-a-{prefix}", .. limit]);
            await using var appB = ChildProcess.StartRepoApp("Reactor.TestApp", ["limit", $"{portB}", redis, $"app-b-{prefix}", .. limit]);
            await LimitTests.WaitAsync(() => LimitSpans.Parse(appA.Lines).Count() == perApp && LimitSpans.Parse(appB.Lines).Count() == perApp,
                Task.CompletedTask);
            return (LimitSpans.Parse(appA.Lines).ToList(), LimitSpans.Parse(appB.Lines).ToList());
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }
}
