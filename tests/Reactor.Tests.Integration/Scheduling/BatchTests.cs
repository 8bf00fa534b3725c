using System.Collections.Concurrent;
using NUnit.Framework;
using Reactor.Tests.Integration.Reliability;
using Reactor.Tests.Integration.Services;
using Reactor.Tests.Integration.Support;

namespace Reactor.Tests.Integration.Scheduling;

/// <summary>EnqueueMany on real node processes: all-or-nothing input, counts by outcome, and one batch feedback across a node kill.</summary>
[TestFixture]
[CancelAfter(300_000)]
[NonParallelizable]
public sealed class BatchTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    /// <summary>
    /// 10,000 jobs over two nodes; one node is killed with SIGKILL while it holds hundreds of them. Its jobs
    /// run again on the other node, each job's feedback runs once, and the batch feedback runs exactly once,
    /// after all of them, counting 10,000 successes.
    /// </summary>
    [TestCase(false)]
    [TestCase(true)]
    public async Task A_batch_of_ten_thousand_gets_one_batch_feedback_after_a_node_is_killed_mid_batch(bool durable)
    {
        const int Jobs = 10_000;
        var redis = durable ? await TestServices.RedisAsync() : null;
        await using var cluster = await Cluster.StartAsync(o =>
        {
            o.Redis = redis;
            o.Name = $"batch-{Guid.NewGuid():N}";
        });
        var victim = cluster.StartNode("batch_victim", "--capacity", "500");
        cluster.StartNode("batch_survivor", "--capacity", "500");
        await cluster.WaitForNodesAsync(2);
        var count = new DeliveryCount();
        var batches = new ConcurrentQueue<(BatchResult Result, int FeedbacksBefore)>();
        var items = Enumerable.Range(0, Jobs).Select(i => (object?)new { key = $"k{i}", ms = 20 });
        for (var i = 0; i < Jobs; i++)
        {
            count.Enqueued($"k{i}");
        }

        var ids = cluster.Distributor.EnqueueMany("sleep", items, onBatchComplete: r => batches.Enqueue((r, count.Completed)),
            success: a => count.Feedback(a.Get<string>("key")));
        // Killed while the nodes hold hundreds of the batch's jobs. Waiting for a share of the feedbacks
        // instead raced with a fast pipeline: by the time 2,000 feedbacks were delivered (behind the
        // journal), every job could already be settled and the kill hit nothing.
        while (cluster.Distributor.InFlightCount < 200 && count.Completed < Jobs)
        {
            await Task.Delay(1);
        }
        var inFlightAtKill = cluster.Distributor.InFlightCount;
        victim.Kill();
        await count.WaitForAllAsync(Patience);
        var deadline = DateTime.UtcNow + Patience;
        while (batches.IsEmpty && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }
        // Anything the batch would still post lands on the same delivery loop before a later job's feedback.
        await cluster.Distributor.EnqueueAsync("add", new { a = 1, b = 1 }).WaitAsync(Patience);

        TestContext.Out.WriteLine($"in flight at the kill: {inFlightAtKill}; batch feedbacks: {string.Join(", ", batches.Select(b => b.Result))}");
        count.AssertNothingLostOrDuplicated();
        Assert.Multiple(() =>
        {
            Assert.That(ids, Has.Count.EqualTo(Jobs).And.Unique);
            Assert.That(inFlightAtKill, Is.GreaterThan(0), "the kill hit jobs in flight");
            Assert.That(batches, Has.Count.EqualTo(1), "exactly one batch feedback");
            Assert.That(batches.Single().Result, Is.EqualTo(new BatchResult(Jobs, Jobs, 0, 0)));
            Assert.That(batches.Single().FeedbacksBefore, Is.EqualTo(Jobs), "after every job's own feedback");
        });
    }

    [Test]
    public async Task Counts_are_by_final_outcome_and_an_empty_batch_completes_at_once()
    {
        await using var cluster = await Cluster.StartAsync();
        cluster.StartNode("batch_node", "--retry-multiplier", "0.05");
        await cluster.WaitForNodesAsync(1);
        var done = new TaskCompletionSource<BatchResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = Guid.NewGuid().ToString("N");
        var items = new[] { 1, 1, 99, 99 }.Select((succeedOn, i) => (object?)new { key = $"{run}-{i}", succeed_on = succeedOn });

        var ids = cluster.Distributor.EnqueueMany("flaky", items, new EnqueueOptions { MaxAttempt = 1, After = TimeSpan.FromSeconds(2) },
            onBatchComplete: r => done.TrySetResult(r));
        cluster.Distributor.Cancel(ids[0]);
        var result = await done.Task.WaitAsync(Patience);
        var empty = new TaskCompletionSource<BatchResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var none = cluster.Distributor.EnqueueMany("flaky", [], onBatchComplete: r => empty.TrySetResult(r));

        Assert.That(result, Is.EqualTo(new BatchResult(4, 1, 2, 1)));
        Assert.That(none, Is.Empty);
        Assert.That(await empty.Task.WaitAsync(Patience), Is.EqualTo(new BatchResult(0, 0, 0, 0)));
    }

    [Test]
    public async Task One_bad_item_throws_naming_it_and_queues_nothing()
    {
        await using var cluster = await Cluster.StartAsync();
        var items = new object?[] { new { a = 1 }, new { a = 2 }, new { a = new object() }, new { a = 4 } };
        var feedbacks = 0;

        var e = Assert.Throws<ArgumentException>(() => cluster.Distributor.EnqueueMany("add", items, onBatchComplete: _ => feedbacks++));

        Assert.That(e!.Message, Does.StartWith("batch item 2:").And.Contain("nothing was queued"));
        Assert.That(cluster.Distributor.GetSnapshot().Pending, Is.Empty);
        cluster.StartNode("batch_after_bad");
        await cluster.WaitForNodesAsync(1);
        await cluster.Distributor.EnqueueAsync("add", new { a = 1, b = 2 }).WaitAsync(Patience);
        Assert.That(cluster.Distributor.GetSnapshot().Outcomes.Succeeded, Is.EqualTo(1), "only the sentinel ran");
        Assert.That(feedbacks, Is.Zero);
    }
}
