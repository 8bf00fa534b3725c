using System.Collections.Concurrent;
using NUnit.Framework;
using Reactor.Tests.Integration.Support;

namespace Reactor.Tests.Integration.Core;

/// <summary>The distributor in this process and real <c>reactor node</c> child processes over loopback TCP.</summary>
[TestFixture]
[CancelAfter(300_000)]
public sealed class NodeProcessTests
{
    [Test]
    public async Task Ten_thousand_jobs_across_two_nodes_each_get_exactly_one_feedback()
    {
        await using var cluster = await Cluster.StartAsync();
        cluster.StartNode("worker_1");
        cluster.StartNode("worker_2");
        await cluster.WaitForNodesAsync(2);
        const int jobs = 10_000;
        var feedbacks = new ConcurrentDictionary<long, int>();
        var ranOn = new ConcurrentDictionary<string, int>();
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        for (var i = 0; i < jobs; i++)
        {
            cluster.Distributor.Enqueue("node_name", new { i }, success: a =>
            {
                feedbacks.AddOrUpdate(a.Get<long>("i"), 1, (_, n) => n + 1);
                ranOn.AddOrUpdate(a.Get<string>("node"), 1, (_, n) => n + 1);
                if (feedbacks.Count == jobs)
                {
                    all.TrySetResult();
                }
            }, error: a => all.TrySetException(new AssertionException($"job failed: {a["error"]}")));
        }
        await all.Task.WaitAsync(Cluster.Patience);
        // A later job pinned to each node: a repeated final result is sent on the same link before it.
        foreach (var node in new[] { "worker_1", "worker_2" })
        {
            await cluster.Distributor.EnqueueAsync("node_name", null, new EnqueueOptions { Node = node }).WaitAsync(Cluster.Patience);
        }

        Assert.That(feedbacks, Has.Count.EqualTo(jobs));
        Assert.That(feedbacks.Values.Distinct(), Is.EqualTo(new[] { 1 }), "every job has exactly one feedback");
        Assert.That(ranOn.Keys, Is.EquivalentTo(new[] { "worker_1", "worker_2" }));
        Assert.That(ranOn.Values.Min(), Is.GreaterThan(jobs / 10), "both nodes share the load");
        Assert.That(cluster.Distributor.FeedbackCount, Is.Zero, "no feedback entry is left behind");
    }

    [Test]
    public async Task A_node_killed_mid_run_loses_no_job_and_each_feedback_runs_once()
    {
        await using var cluster = await Cluster.StartAsync();
        var victim = cluster.StartNode("victim", "--capacity", "50");
        cluster.StartNode("survivor", "--capacity", "50");
        await cluster.WaitForNodesAsync(2);
        const int jobs = 600;
        var feedbacks = new ConcurrentDictionary<long, int>();
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        for (var i = 0; i < jobs; i++)
        {
            // 200 ms each, at most 50 at once per node: the run takes seconds, so the kill lands mid-run.
            cluster.Distributor.Enqueue("sleep", new { i, ms = 200 }, success: a =>
            {
                feedbacks.AddOrUpdate(a.Get<long>("i"), 1, (_, n) => n + 1);
                firstDone.TrySetResult();
                if (feedbacks.Count == jobs)
                {
                    all.TrySetResult();
                }
            }, error: a => all.TrySetException(new AssertionException($"job failed: {a["error"]}")));
        }
        await firstDone.Task.WaitAsync(Cluster.Patience);
        Assert.That(cluster.Distributor.InFlightCount, Is.GreaterThan(0), "jobs are on the nodes when the kill lands");
        victim.Kill();

        await all.Task.WaitAsync(Cluster.Patience);
        // Every job the distributor still tracked has settled; what the survivor may still run are repeats
        // of settled jobs (200 ms each, started before this point). A 400 ms sentinel started after them on
        // the same node ends after them, so a repeat's feedback would have come before the sentinel's.
        await WaitUntilAsync(() => cluster.Distributor.InFlightCount == 0 && cluster.Distributor.PendingCount == 0);
        await cluster.Distributor.EnqueueAsync("sleep", new { i = -1, ms = 400 }, new EnqueueOptions { Node = "survivor" }).WaitAsync(Cluster.Patience);

        Assert.That(feedbacks, Has.Count.EqualTo(jobs), "no job lost");
        Assert.That(feedbacks.Values.Distinct(), Is.EqualTo(new[] { 1 }), "each feedback exactly once");
        Assert.That(cluster.Logs.Contains("left holding"), Is.True, "the victim's jobs were dispatched again");
        Assert.That(cluster.Distributor.ConnectedNodes, Is.EqualTo(new[] { "survivor" }));
    }

    [Test]
    public async Task Jobs_enqueued_with_no_node_connected_run_once_a_node_process_connects()
    {
        await using var cluster = await Cluster.StartAsync();
        var results = Enumerable.Range(0, 50).Select(i => cluster.Distributor.EnqueueAsync("add", new { a = i, b = 100 })).ToList();
        Assert.That(cluster.Distributor.PendingCount, Is.EqualTo(50));

        cluster.StartNode("late_worker");
        var all = await Task.WhenAll(results).WaitAsync(Cluster.Patience);

        Assert.That(all.Select(r => r.Args.Get<long>("sum")), Is.EqualTo(Enumerable.Range(100, 50).Select(i => (long)i)));
    }

    [Test]
    public async Task Callbacks_errbacks_and_feedback_args_carry_what_the_node_added()
    {
        await using var cluster = await Cluster.StartAsync();
        cluster.StartNode("worker");
        await cluster.WaitForNodesAsync(1);

        var added = await cluster.Distributor.EnqueueAsync("add", new { a = 20, b = 1 }).WaitAsync(Cluster.Patience);
        var failed = await cluster.Distributor.EnqueueAsync("fail", new { keep = "me" },
            new EnqueueOptions { MaxAttempt = 2, RetryMultiplier = TimeSpan.FromMilliseconds(50) }).WaitAsync(Cluster.Patience);

        Assert.That(added.Outcome, Is.EqualTo(JobOutcome.Succeeded));
        Assert.That(added.Args.Get<long>("sum"), Is.EqualTo(21));
        Assert.That(added.Args.Get<long>("doubled"), Is.EqualTo(42), "a callback saw what the job added");
        Assert.That(added.Args.Get<bool>("marked"), Is.True, "a later callback saw what an earlier one added");
        Assert.That(failed.Outcome, Is.EqualTo(JobOutcome.Failed));
        Assert.That(failed.Error, Does.Contain("boom"));
        Assert.That(failed.Args.Get<string>("error"), Does.Contain("InvalidOperationException: boom"));
        Assert.That(failed.Args.Get<bool>("noted"), Is.True, "the errback ran and its addition reached the feedback");
        Assert.That(failed.Args.Get<string>("keep"), Is.EqualTo("me"));
    }

    [Test]
    public async Task A_job_that_leaves_unsendable_args_gets_an_error_feedback_and_the_node_stays_connected()
    {
        await using var cluster = await Cluster.StartAsync();
        cluster.StartNode("worker");
        await cluster.WaitForNodesAsync(1);

        var result = await cluster.Distributor.EnqueueAsync("unsendable").WaitAsync(Cluster.Patience);
        var next = await cluster.Distributor.EnqueueAsync("add", new { a = 1, b = 1 }).WaitAsync(Cluster.Patience);

        Assert.That(result.Outcome, Is.EqualTo(JobOutcome.Failed));
        Assert.That(result.Error, Does.Contain("cannot be sent back").And.Contains("socket"));
        Assert.That(next.Args.Get<long>("sum"), Is.EqualTo(2));
        Assert.That(cluster.Logs.Contains("left holding"), Is.False, "the connection never dropped");
    }

    [Test]
    public async Task Job_code_in_a_node_process_runs_on_its_reactor_thread()
    {
        await using var cluster = await Cluster.StartAsync();
        cluster.StartNode("worker");
        await cluster.WaitForNodesAsync(1);

        var result = await cluster.Distributor.EnqueueAsync("thread").WaitAsync(Cluster.Patience);

        Assert.That(result.Args.Get<string>("thread_name"), Is.EqualTo("reactor:worker"));
    }

    [Test]
    public async Task A_node_stopped_with_sigterm_finishes_its_running_jobs_and_returns_the_rest()
    {
        await using var cluster = await Cluster.StartAsync();
        var leaving = cluster.StartNode("leaving");
        await cluster.WaitForNodesAsync(1);
        var running = cluster.Distributor.EnqueueAsync("sleep", new { ms = 1500 });
        var deferred = cluster.Distributor.EnqueueAsync("add", new { a = 1, b = 2 }, new EnqueueOptions { After = TimeSpan.FromSeconds(3) });
        // A job sent after both on the same link: the node takes jobs in order on its loop, so once this one
        // has run, the sleep is running (not merely sent) and the deferred one is parked on its timer.
        var marker = await cluster.Distributor.EnqueueAsync("add", new { a = 0, b = 0 }).WaitAsync(Cluster.Patience);
        Assert.That(marker.Outcome, Is.EqualTo(JobOutcome.Succeeded));

        await leaving.StopAsync(TimeSpan.FromSeconds(30));
        var first = await running.WaitAsync(Cluster.Patience);
        Assert.That(first.Args.Get<bool>("slept"), Is.True, "the running job finished before the node exited");
        Assert.That(deferred.IsCompleted, Is.False);

        cluster.StartNode("replacement");
        var second = await deferred.WaitAsync(Cluster.Patience);
        Assert.That(second.Args.Get<long>("sum"), Is.EqualTo(3), "the waiting job went back and ran on another node");
        Assert.That(await leaving.WaitForExitAsync(), Is.Zero);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Cluster.Patience;
        while (!condition())
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "condition not met in time");
            await Task.Delay(20);
        }
    }
}
