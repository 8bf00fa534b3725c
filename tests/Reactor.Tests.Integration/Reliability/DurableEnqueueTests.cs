using NUnit.Framework;
using Reactor.Tests.Integration.Services;
using Reactor.Tests.Integration.Support;
using StackExchange.Redis;

namespace Reactor.Tests.Integration.Reliability;

/// <summary>
/// The journal's promises with a real redis-server and real processes: an id returned by
/// <c>Enqueue</c> survives an application SIGKILL, results are recorded before their feedback runs,
/// and a Redis that refuses writes fails enqueues loudly instead of losing them.
/// </summary>
[TestFixture]
[CancelAfter(300_000)]
[NonParallelizable]
public sealed class DurableEnqueueTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private string _dataDir = null!;

    [SetUp]
    public void SetUp() => _dataDir = Directory.CreateTempSubdirectory("reactor-durable-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dataDir, recursive: true);

    [Test]
    public async Task An_app_killed_mid_burst_loses_no_job_whose_enqueue_returned()
    {
        await using var redis = await RedisServerProcess.StartAsync(RedisServerProcess.FreePort(),
            "--appendonly", "yes", "--appendfsync", "always", "--dir", _dataDir);
        var port = RedisServerProcess.FreePort();
        await using var node = NodeProcess.Start("burst_node", $"127.0.0.1:{port}", Cluster.JobsDirectory, "--log-job-processing", "false");
        var duplicatesTotal = 0;
        foreach (var (round, killAt) in new[] { (1, 3_000), (2, 7_000), (3, 12_000) })
        {
            var name = $"burst-{round}";
            await using var burst = ChildProcess.StartRepoApp("Reactor.TestApp", "burst", $"{port}", redis.Address, "40000", $"{killAt}", name);
            await burst.WaitForExitAsync(Patience);
            var lines = burst.Lines;
            Assert.That(lines, Does.Not.Contain("finished without the kill"));
            var returned = Keys(lines, "enqueued ");
            var before = Keys(lines, "success ");
            Assert.That(returned, Has.Count.GreaterThanOrEqualTo(killAt - 1), "the app printed what its Enqueue calls returned");

            await using var restarted = ChildProcess.StartRepoApp("Reactor.TestApp", "serve", $"{port}", redis.Address, name);
            var owed = returned.Where(k => !before.Contains(k)).ToHashSet();
            var deadline = DateTime.UtcNow + Patience;
            while (owed.Except(Keys(restarted.Lines, "result ")).Any() && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
            await SettledAsync(redis.Address, name);
            var after = Keys(restarted.Lines, "result ");
            var lost = returned.Count(k => !before.Contains(k) && !after.Contains(k));
            var duplicates = after.Count(before.Contains) + restarted.Lines.Count(l => l.StartsWith("result ", StringComparison.Ordinal)) - after.Count;
            duplicatesTotal += duplicates;
            TestContext.Out.WriteLine($"round {round}: returned={returned.Count} reported_before_kill={before.Count} " +
                $"reported_after_restart={after.Count} duplicates={duplicates} lost={lost}");
            Assert.That(lost, Is.Zero, "jobs whose Enqueue returned were never run nor reported");
        }
        // A feedback runs twice only when the app died between running it and Redis hearing so: a
        // round trip's worth of feedbacks at most, never the bulk of a burst.
        Assert.That(duplicatesTotal, Is.LessThan(1_000), "duplicate feedbacks across the three crashes");
    }

    [Test]
    public async Task An_app_killed_while_its_node_holds_jobs_gets_their_results_after_a_restart()
    {
        await using var redis = await RedisServerProcess.StartAsync(RedisServerProcess.FreePort(),
            "--appendonly", "yes", "--appendfsync", "always", "--dir", _dataDir);
        var port = RedisServerProcess.FreePort();
        var marks = Directory.CreateDirectory(Path.Combine(_dataDir, "marks")).FullName;
        await using var node = NodeProcess.Start("fault_node", $"127.0.0.1:{port}", Cluster.JobsDirectory, "--log-job-processing", "false");
        List<string> ids;
        await using (var first = ChildProcess.StartRepoApp("Reactor.TestApp", "held", $"{port}", redis.Address, "100", "sleep_mark", "1500", marks))
        {
            var held = await WaitForPrefixAsync(first, "held ");
            ids = Keys(first.Lines, "enqueued ").ToList();
            first.Kill();
            TestContext.Out.WriteLine($"killed the app while its node held {held[5..]} jobs");
        }
        // Forced, not assumed: jobs finish on the node while no application is listening.
        var deadline = DateTime.UtcNow + Patience;
        while (Directory.GetFiles(marks).Length == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        var finishedWhileDown = Directory.GetFiles(marks).Length;
        Assert.That(finishedWhileDown, Is.GreaterThan(0), "jobs finished while the app was down");

        await using var second = ChildProcess.StartRepoApp("Reactor.TestApp", "recover", $"{port}", redis.Address, "100");
        await second.WaitForLineAsync("done", Patience);
        await using var lookup = ChildProcess.StartRepoApp("Reactor.TestApp", ["lookup", $"{port}", redis.Address, .. ids]);
        await lookup.WaitForExitAsync(Patience);

        var count = new DeliveryCount();
        ids.ForEach(count.Enqueued);
        foreach (var line in second.Lines.Where(l => l.StartsWith("result ", StringComparison.Ordinal)))
        {
            count.Feedback(line.Split(' ')[1]);
        }
        TestContext.Out.WriteLine($"finished while the app was down: {finishedWhileDown}; job runs on the node: {Directory.GetFiles(marks).Length}");
        count.AssertNothingLostOrDuplicated();
        Assert.That(lookup.Lines.Count(l => l.StartsWith("stored ", StringComparison.Ordinal) && l.EndsWith("Succeeded", StringComparison.Ordinal)),
            Is.EqualTo(ids.Count), "every result is readable after the restart");
    }

    [Test]
    public async Task A_redis_out_of_memory_fails_enqueues_loudly_and_loses_no_result()
    {
        await using var redis = await RedisServerProcess.StartAsync(RedisServerProcess.FreePort(), "--maxmemory-policy", "noeviction");
        await using var cluster = await Cluster.StartAsync(o =>
        {
            o.Redis = redis.Address;
            o.Name = "oom";
        });
        cluster.StartNode("oom_node", "--capacity", "200");
        await cluster.WaitForNodesAsync(1);
        var marks = Directory.CreateDirectory(Path.Combine(_dataDir, "marks")).FullName;
        var early = new DeliveryCount();
        var earlyIds = new List<string>();
        for (var i = 0; i < 100; i++)
        {
            var key = $"early{i}";
            early.Enqueued(key);
            earlyIds.Add(cluster.Distributor.Enqueue("sleep_mark", new { key, i, ms = 2000, dir = marks },
                success: a => early.Feedback(a.Get<string>("key"))));
        }

        await using var admin = await ConnectionMultiplexer.ConnectAsync(redis.Address + ",allowAdmin=true");
        var db = admin.GetDatabase();
        // Redis full: maxmemory below what it already uses, so every write that needs memory is refused.
        await db.ExecuteAsync("CONFIG", "SET", "maxmemory", "1");

        var refused = 0;
        var accepted = new DeliveryCount();
        var acceptedIds = new List<string>();
        for (var i = 0; i < 200; i++)
        {
            var key = $"late{i}";
            try
            {
                acceptedIds.Add(cluster.Distributor.Enqueue("add", new { key, a = i, b = 1 }, success: a => accepted.Feedback(a.Get<string>("key"))));
                accepted.Enqueued(key);
            }
            catch (JournalWriteException e)
            {
                Assert.That(e.Message, Does.Contain("OOM"));
                refused++;
            }
        }
        // The early jobs finish on the node while Redis refuses to record their results.
        var deadline = DateTime.UtcNow + Patience;
        while (Directory.GetFiles(marks).Length < earlyIds.Count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        Assert.That(Directory.GetFiles(marks), Has.Length.EqualTo(earlyIds.Count), "the early jobs ran during the OOM");
        var heldBack = early.Completed;
        await db.ExecuteAsync("CONFIG", "SET", "maxmemory", "0");
        await early.WaitForAllAsync(Patience);
        await accepted.WaitForAllAsync(Patience);

        TestContext.Out.WriteLine($"enqueued during OOM: refused={refused} accepted={acceptedIds.Count}; " +
            $"early feedbacks while Redis was full: {heldBack}");
        Assert.That(refused, Is.EqualTo(200), "every enqueue while Redis is full fails visibly");
        Assert.That(heldBack, Is.Zero, "a result is recorded before its feedback runs");
        early.AssertNothingLostOrDuplicated();
        accepted.AssertNothingLostOrDuplicated();
        foreach (var id in earlyIds.Concat(acceptedIds))
        {
            var stored = await cluster.Distributor.GetResultAsync(id);
            Assert.That(stored?.Outcome, Is.EqualTo(JobOutcome.Succeeded), $"result of {id} is readable");
        }
        Assert.That(await db.HashLengthAsync("reactor:dist:{oom}:jobs"), Is.Zero, "nothing stays journaled");
    }

    private static HashSet<string> Keys(IEnumerable<string> lines, string prefix) =>
        lines.Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).Select(l => l[prefix.Length..].Split(' ')[0]).ToHashSet();

    private static async Task<string> WaitForPrefixAsync(ChildProcess process, string prefix)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            if (process.Lines.FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal)) is { } line)
            {
                return line;
            }
            await Task.Delay(20);
        }
        throw new TimeoutException($"no line starting '{prefix}'; output:\n{string.Join("\n", process.Lines.TakeLast(30))}");
    }

    /// <summary>Waits until the journal holds no job and no undelivered result: a duplicate would have been delivered by then.</summary>
    private static async Task SettledAsync(string address, string name)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(address);
        var db = redis.GetDatabase();
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            if (await db.HashLengthAsync($"reactor:dist:{{{name}}}:jobs") == 0 && await db.SetLengthAsync($"reactor:dist:{{{name}}}:undelivered") == 0)
            {
                return;
            }
            await Task.Delay(100);
        }
        Assert.Fail($"journal {name} still holds jobs or undelivered results");
    }
}
