using System.Collections.Concurrent;
using NUnit.Framework;
using Reactor.Tests.Integration.Services;
using Reactor.Tests.Integration.Support;

namespace Reactor.Tests.Integration.Scheduling;

/// <summary>Cron jobs on real node processes: the calendar, bad expressions, missed slots, and a node killed with Redis storage.</summary>
[TestFixture]
[CancelAfter(240_000)]
[NonParallelizable]
public sealed class CronTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private sealed record Run(string JobId, long RanAtMs, int Pid);

    private static Action<JobArgs> Into(ConcurrentQueue<Run> runs, string jobId = "") =>
        a => runs.Enqueue(new Run(jobId, a.Get<long>("ran_at_ms"), a.Get<int>("pid")));

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out waiting until {what}");
            }
            await Task.Delay(20);
        }
    }

    [Test]
    public async Task An_every_second_cron_runs_once_per_second_until_cancelled()
    {
        await using var cluster = await Cluster.StartAsync();
        cluster.StartNode("cron_node");
        await cluster.WaitForNodesAsync(1);
        var runs = new ConcurrentQueue<Run>();
        var cancelled = new TaskCompletionSource<JobArgs>(TaskCreationOptions.RunContinuationsAsynchronously);

        var id = cluster.Distributor.Enqueue("stamp", null, new EnqueueOptions { Cron = "*/1 * * * * *" },
            success: Into(runs), error: a => cancelled.TrySetResult(a));
        await WaitUntilAsync(() => runs.Count >= 6, "six runs");
        Assert.That(cluster.Distributor.Cancel(id), Is.Not.EqualTo(CancelResult.NotFound));
        var error = await cancelled.Task.WaitAsync(Patience);

        var seconds = runs.Take(6).Select(r => r.RanAtMs / 1000).ToArray();
        TestContext.Out.WriteLine($"run times (ms into their second): {string.Join(", ", runs.Take(6).Select(r => r.RanAtMs % 1000))}");
        Assert.Multiple(() =>
        {
            Assert.That(seconds, Is.Unique, "never two runs in one second");
            Assert.That(seconds[^1] - seconds[0], Is.LessThanOrEqualTo(6), "six runs within about six seconds: one per second, no gaps piling up");
            Assert.That(error.Get<string>("error"), Does.Contain("cancelled"), "JR.Cancel ends it with the error feedback");
        });
    }

    [TestCase("* * *", null, "has 3 fields")]
    [TestCase("61 * * * *", null, "is invalid")]
    [TestCase("0 9 * * *", "Atlantis/Capital", "unknown time zone 'Atlantis/Capital'")]
    [TestCase("0 0 30 2 *", null, "never fires")]
    public async Task A_bad_cron_throws_at_enqueue_and_queues_nothing(string cron, string? zone, string reason)
    {
        await using var cluster = await Cluster.StartAsync();
        var ran = 0;

        var e = Assert.Throws<ArgumentException>(() => cluster.Distributor.Enqueue("stamp", null,
            new EnqueueOptions { Cron = cron, TimeZone = zone }, success: _ => ran++, error: _ => ran++));

        Assert.That(e!.Message, Does.Contain(reason));
        Assert.That(cluster.Distributor.GetSnapshot().Pending, Is.Empty, "nothing waits for a node");
        cluster.StartNode("cron_after_bad");
        await cluster.WaitForNodesAsync(1);
        var sentinel = await cluster.Distributor.EnqueueAsync("stamp").WaitAsync(Patience);
        Assert.That(sentinel.Outcome, Is.EqualTo(JobOutcome.Succeeded));
        Assert.That(cluster.Distributor.GetSnapshot().Outcomes.Succeeded, Is.EqualTo(1), "only the sentinel ran");
        Assert.That(ran, Is.Zero);
    }

    /// <summary>
    /// Two jobs on the same two slots, eight seconds apart, wait for a node that is not there when the
    /// first slot passes. When it connects, RunOnce runs the missed slot at once; Skip waits for the second.
    /// </summary>
    [Test]
    public async Task A_missed_slot_runs_once_now_or_is_skipped_as_the_job_asks()
    {
        await using var cluster = await Cluster.StartAsync(o => o.AlwaysUseSpecifiedNode = true);
        var first = DateTimeOffset.UtcNow.AddSeconds(3);
        first = first.AddTicks(-(first.Ticks % TimeSpan.TicksPerSecond));
        var second = first.AddSeconds(8);
        var cron = $"{first.Second},{second.Second} {first.Minute},{second.Minute} {first.Hour},{second.Hour} * * *";
        var once = new ConcurrentQueue<Run>();
        var skip = new ConcurrentQueue<Run>();
        var options = new EnqueueOptions { Cron = cron, Node = "late_node" };
        var onceId = cluster.Distributor.Enqueue("stamp", null, options, success: Into(once));
        var skipId = cluster.Distributor.Enqueue("stamp", null, options with { Misfire = CronMisfire.Skip }, success: Into(skip));

        while (DateTimeOffset.UtcNow < first.AddSeconds(1))
        {
            await Task.Delay(100); // set-up, not an assertion: let the first slot pass with no node
        }
        cluster.StartNode("late_node");
        await WaitUntilAsync(() => once.Count >= 2 && skip.Count >= 1, "both jobs ran at the second slot");
        cluster.Distributor.Cancel(onceId);
        cluster.Distributor.Cancel(skipId);

        var onceRuns = once.Take(2).Select(r => DateTimeOffset.FromUnixTimeMilliseconds(r.RanAtMs)).ToArray();
        var skipFirst = DateTimeOffset.FromUnixTimeMilliseconds(skip.First().RanAtMs);
        TestContext.Out.WriteLine($"slots {first:HH:mm:ss} and {second:HH:mm:ss}; RunOnce ran {onceRuns[0]:HH:mm:ss.fff}, {onceRuns[1]:HH:mm:ss.fff}; Skip ran {skipFirst:HH:mm:ss.fff}");
        Assert.Multiple(() =>
        {
            Assert.That(onceRuns[0], Is.GreaterThan(first).And.LessThan(second), "RunOnce ran the missed slot when the node came");
            Assert.That(onceRuns[1], Is.GreaterThanOrEqualTo(second), "then kept to the calendar");
            Assert.That(skipFirst, Is.GreaterThanOrEqualTo(second), "Skip did not run the missed slot");
        });
    }

    /// <summary>
    /// A node with Redis storage holding an every-second cron job is killed with SIGKILL and started again
    /// under the same name. It resumes the job from its records (before the distributor's copy arrives,
    /// which it then adopts), the missed seconds make one run, and the job keeps its calendar with one
    /// feedback per run, no error and no second copy.
    /// </summary>
    [Test]
    public async Task A_cron_job_resumes_after_its_node_with_redis_storage_is_killed()
    {
        var redis = await TestServices.RedisAsync();
        var name = $"cron_durable_{Guid.NewGuid():N}"[..24];
        await using var cluster = await Cluster.StartAsync(o => o.AlwaysUseSpecifiedNode = true);
        string[] nodeArgs = ["--storage", "redis", "--redis", redis, "--log-level", "Information"];
        var victim = NodeProcess.Start(name, cluster.Address, Cluster.JobsDirectory, nodeArgs);
        await using var victimGuard = victim;
        await cluster.WaitForNodesAsync(1);
        var runs = new ConcurrentQueue<Run>();
        var errors = new ConcurrentQueue<string>();
        var id = cluster.Distributor.Enqueue("stamp", null, new EnqueueOptions { Cron = "*/1 * * * * *", Node = name },
            success: Into(runs), error: a => errors.Enqueue(a.Get<string>("error")));
        await WaitUntilAsync(() => runs.Count(r => r.Pid == victim.Id) >= 3, "three runs on the first node");

        victim.Kill();
        await victim.WaitForExitAsync();
        var killedAt = DateTimeOffset.UtcNow;
        await WaitUntilAsync(() => cluster.Distributor.ConnectedNodes.Count == 0, "the distributor noticed the loss");
        // Stay down across at least one slot whatever the machine's speed, so the restart has a missed run to make.
        var downFor = TimeSpan.FromSeconds(2) - (DateTimeOffset.UtcNow - killedAt);
        if (downFor > TimeSpan.Zero)
        {
            await Task.Delay(downFor);
        }
        await using var heir = NodeProcess.Start(name, cluster.Address, Cluster.JobsDirectory, nodeArgs);
        await WaitUntilAsync(() => runs.Count(r => r.Pid == heir.Id) >= 4, "four runs on the restarted node");
        cluster.Distributor.Cancel(id);

        var after = runs.Where(r => r.Pid == heir.Id).Select(r => r.RanAtMs).ToArray();
        var lastBefore = runs.Where(r => r.Pid == victim.Id).Max(r => r.RanAtMs);
        TestContext.Out.WriteLine($"killed {killedAt:HH:mm:ss.fff}; last run before {lastBefore % 100_000} ms; runs after: {string.Join(", ", after.Select(a => a % 100_000))}");
        Assert.Multiple(() =>
        {
            Assert.That(heir.Output.Any(l => l.Contains($"Resumed 1 unfinished jobs of node {name}", StringComparison.Ordinal)), Is.True,
                "the restarted node resumed the job from Redis");
            Assert.That(heir.Output.Any(l => l.Contains(id, StringComparison.Ordinal) && l.Contains("was sent again", StringComparison.Ordinal)), Is.True,
                "and recognised the distributor's copy instead of running a second one");
            Assert.That(after[0] - lastBefore, Is.GreaterThan(1500), "the node was down across at least one slot");
            Assert.That(after.Select(ms => ms / 1000), Is.Unique, "the missed slots made one run, not a burst");
            Assert.That(after[^1] / 1000 - after[0] / 1000, Is.LessThanOrEqualTo(4), "then one run per second again");
            Assert.That(errors, Is.Empty.Or.All.Contain("cancelled"), "no failure, only the final cancel");
        });
    }
}
