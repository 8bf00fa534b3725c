using System.Collections.Concurrent;
using System.Diagnostics;
using NUnit.Framework;
using Reactor.Tests.Integration.Support;

namespace Reactor.Tests.Integration.Reliability;

/// <summary>
/// Jobs that break their node, on real node processes: one that kills the process every time it runs
/// (with a supervisor restarting nodes), and one that blocks the reactor thread for good.
/// </summary>
[TestFixture]
[CancelAfter(300_000)]
[NonParallelizable]
public sealed class BrokenJobTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    [Test]
    public async Task A_job_that_kills_every_node_fails_after_MaxDispatches_and_takes_no_other_job_with_it()
    {
        using var jobs = new FaultJobs();
        await using var cluster = await Cluster.StartAsync();
        await using var supervisor = new Supervisor(cluster.Address, jobs.Directory);
        supervisor.Keep("phoenix_1");
        supervisor.Keep("phoenix_2");
        await cluster.WaitForNodesAsync(2);
        var count = new DeliveryCount();
        var failedOthers = new ConcurrentQueue<string>();
        var poisonErrors = new ConcurrentQueue<string>();
        var poisonSuccesses = 0;
        var poisonFailed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = Stopwatch.StartNew();

        // The poison job sits in the middle of a burst, so the node that gets it also holds innocent
        // jobs (200 ms each, still running) when it dies.
        string poison = "";
        for (var i = 0; i < 100; i++)
        {
            if (i == 50)
            {
                poison = cluster.Distributor.Enqueue("poison", null, new EnqueueOptions { MaxAttempt = 2 },
                    success: _ => Interlocked.Increment(ref poisonSuccesses),
                    error: a =>
                    {
                        poisonErrors.Enqueue(a.Get<string>("error"));
                        poisonFailed.TrySetResult();
                    });
            }
            var key = $"k{i}";
            count.Enqueued(key);
            cluster.Distributor.Enqueue("sleep", new { key, ms = 200 },
                success: a => count.Feedback(a.Get<string>("key")),
                error: a => failedOthers.Enqueue($"{a.Get<string>("key")}: {a["error"]}"));
        }

        await poisonFailed.Task.WaitAsync(Patience);
        var poisonSeconds = started.Elapsed.TotalSeconds;
        await count.WaitForAllAsync(Patience);
        var result = await cluster.Distributor.EnqueueAsync("add", new { a = 1, b = 2 }).WaitAsync(Patience);

        TestContext.Out.WriteLine($"node deaths={supervisor.Deaths} poison error feedbacks={poisonErrors.Count} " +
            $"poison successes={poisonSuccesses} poison settled after {poisonSeconds:0.0} s; others failed={failedOthers.Count}");
        TestContext.Out.WriteLine($"poison error: {poisonErrors.FirstOrDefault()}");
        count.AssertNothingLostOrDuplicated();
        Assert.That(poisonErrors, Has.Count.EqualTo(1), "exactly one error feedback for the poison job");
        Assert.That(poisonSuccesses, Is.Zero);
        Assert.That(poisonErrors.Single(), Does.Contain("dispatched 3 times").And.Contain("each node it ran on was lost"));
        Assert.That(supervisor.Deaths, Is.EqualTo(3), "the poison job killed MaxDispatches (3) nodes and no more");
        Assert.That(failedOthers, Is.Empty, "no innocent job failed");
        Assert.That(result.Args.Get<long>("sum"), Is.EqualTo(3), "the restarted nodes work");
        Assert.That(cluster.Distributor.FeedbackCount, Is.Zero);
        Assert.That(cluster.Distributor.InFlightCount + cluster.Distributor.PendingCount, Is.Zero, $"job {poison} is not held anywhere");
    }

    [Test]
    public async Task A_job_that_blocks_its_thread_fails_at_its_timeout_and_the_jobs_beside_it_finish_once()
    {
        using var jobs = new FaultJobs();
        await using var cluster = await Cluster.StartAsync();
        await using var blocked = NodeProcess.Start("blocked", cluster.Address, jobs.Directory, "--log-job-processing", "false", "--log-level", "Warning");
        await using var other = NodeProcess.Start("other", cluster.Address, jobs.Directory, "--log-job-processing", "false", "--log-level", "Warning");
        await cluster.WaitForNodesAsync(2);
        var count = new DeliveryCount();
        var ranOn = new ConcurrentDictionary<string, int>();
        var failedOthers = new ConcurrentQueue<string>();
        var blockErrors = new ConcurrentQueue<string>();
        var blockFailed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = Stopwatch.StartNew();
        TimeSpan? failedAfter = null;

        cluster.Distributor.Enqueue("block", null, new EnqueueOptions { Node = "blocked", Timeout = TimeSpan.FromSeconds(2), MaxAttempt = 3 },
            error: a =>
            {
                failedAfter ??= started.Elapsed;
                blockErrors.Enqueue(a.Get<string>("error"));
                blockFailed.TrySetResult();
            });
        for (var i = 0; i < 200; i++)
        {
            var key = $"k{i}";
            count.Enqueued(key);
            cluster.Distributor.Enqueue("node_name", new { key },
                success: a =>
                {
                    ranOn.AddOrUpdate(a.Get<string>("node"), 1, (_, n) => n + 1);
                    count.Feedback(a.Get<string>("key"));
                },
                error: a => failedOthers.Enqueue($"{a.Get<string>("key")}: {a["error"]}"));
        }

        await blockFailed.Task.WaitAsync(Patience);
        await count.WaitForAllAsync(Patience);
        // The node that was blocked takes new work again: its loop runs on a fresh thread.
        var after = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ =>
            cluster.Distributor.EnqueueAsync("node_name", null, new EnqueueOptions { Node = "blocked" }))).WaitAsync(Patience);

        TestContext.Out.WriteLine($"blocking job failed after {failedAfter?.TotalSeconds:0.00} s (Timeout 2 s): {blockErrors.FirstOrDefault()}");
        TestContext.Out.WriteLine($"others ran on: {string.Join(", ", ranOn.Select(p => $"{p.Key}={p.Value}"))}; " +
            $"afterwards on 'blocked': {after.Count(r => r.Args.Get<string>("node") == "blocked")} of 50");
        count.AssertNothingLostOrDuplicated();
        Assert.That(failedOthers, Is.Empty);
        Assert.That(blockErrors, Has.Count.EqualTo(1), "one error feedback, no retry that would block again");
        Assert.That(blockErrors.Single(), Does.Contain("held the reactor loop").And.Contain("Defer"));
        Assert.That(after.Select(r => r.Outcome).Distinct(), Is.EqualTo(new[] { JobOutcome.Succeeded }));
        Assert.That(after.Count(r => r.Args.Get<string>("node") == "blocked"), Is.EqualTo(50), "the blocked node is not frozen");
        Assert.That(blocked.Output.Any(l => l.Contains("abandoned blocked thread", StringComparison.Ordinal)), Is.True,
            "the node logs the thread it abandoned");
        Assert.That(cluster.Distributor.ConnectedNodes, Is.EquivalentTo(new[] { "blocked", "other" }));
    }

    [Test]
    public async Task A_job_without_a_timeout_that_blocks_its_thread_fails_at_the_loop_stall_timeout()
    {
        using var jobs = new FaultJobs();
        await using var cluster = await Cluster.StartAsync();
        await using var node = NodeProcess.Start("stalled", cluster.Address, jobs.Directory,
            "--log-job-processing", "false", "--log-level", "Warning", "--loop-stall-timeout", "2");
        await cluster.WaitForNodesAsync(1);
        var started = Stopwatch.StartNew();

        var blocked = await cluster.Distributor.EnqueueAsync("block").WaitAsync(Patience);
        var failedAfter = started.Elapsed;
        var next = await cluster.Distributor.EnqueueAsync("add", new { a = 2, b = 3 }).WaitAsync(Patience);

        TestContext.Out.WriteLine($"blocking job without Timeout failed after {failedAfter.TotalSeconds:0.00} s (LoopStallTimeout 2 s): {blocked.Error}");
        Assert.That(blocked.Outcome, Is.EqualTo(JobOutcome.Failed));
        Assert.That(blocked.Error, Does.Contain("held the reactor loop"));
        Assert.That(next.Args.Get<long>("sum"), Is.EqualTo(5), "the node works on after the stall");
    }

    [Test]
    public async Task A_loop_stuck_outside_a_job_attempt_hands_the_node_s_jobs_back_and_they_finish_elsewhere_once()
    {
        using var jobs = new FaultJobs();
        await using var cluster = await Cluster.StartAsync();
        await using var stuck = NodeProcess.Start("stuck", cluster.Address, jobs.Directory,
            "--log-job-processing", "false", "--log-level", "Warning", "--loop-stall-timeout", "2");
        await cluster.WaitForNodesAsync(1);
        var count = new DeliveryCount();
        // Held by 'stuck' (awaiting, off the loop) when its loop gets stuck.
        for (var i = 0; i < 20; i++)
        {
            var key = $"k{i}";
            count.Enqueued(key);
            cluster.Distributor.Enqueue("sleep", new { key, ms = 4000 }, new EnqueueOptions { Node = "stuck" },
                success: a => count.Feedback(a.Get<string>("key")));
        }
        var errbackJob = cluster.Distributor.EnqueueAsync("errback_blocks", null,
            new EnqueueOptions { Node = "stuck", MaxAttempt = 1, MaxDispatches = 1 });
        await using var other = NodeProcess.Start("other", cluster.Address, jobs.Directory, "--log-job-processing", "false", "--log-level", "Warning");

        var blocked = await errbackJob.WaitAsync(Patience);
        await count.WaitForAllAsync(Patience);

        TestContext.Out.WriteLine($"errback-blocked job: {blocked.Outcome}: {blocked.Error}");
        count.AssertNothingLostOrDuplicated();
        Assert.That(blocked.Outcome, Is.EqualTo(JobOutcome.Failed));
        Assert.That(blocked.Error, Does.Contain("MaxDispatches"), "the job that froze the loop is charged for the lost node");
        Assert.That(stuck.Output.Any(l => l.Contains("abandoned", StringComparison.OrdinalIgnoreCase)), Is.True,
            "the node logs the stall and the thread it left:\n" + string.Join("\n", stuck.Output.TakeLast(20)));
        Assert.That(cluster.Logs.Lines.Any(l => l.Contains("stuck", StringComparison.Ordinal) && l.Contains("dispatched them again", StringComparison.Ordinal)),
            Is.True, "the distributor took the stuck node's jobs back");
    }
}
