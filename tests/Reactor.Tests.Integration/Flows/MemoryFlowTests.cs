using System.Collections.Concurrent;
using NUnit.Framework;
using Reactor.Tests.Integration.Support;

namespace Reactor.Tests.Integration.Flows;

/// <summary>Fork and join on a distributor without Redis (claims in memory), with an in-process node.</summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class MemoryFlowTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Test]
    public async Task A_re_run_that_publishes_something_else_at_the_same_position_is_ignored_and_the_first_runs_once()
    {
        var runs = new ConcurrentQueue<string>();
        var attempts = 0;
        await using var cluster = await Cluster.StartAsync();
        await cluster.Host.StartNodeAsync(new NodeOptions
        {
            Name = "memory_flow",
            LogJobProcessing = false,
            RetryMultiplier = TimeSpan.FromMilliseconds(20),
            Jobs = j =>
            {
                j.Job("parent", args =>
                {
                    // First attempt publishes "first" and fails; the retry decides differently.
                    var attempt = Interlocked.Increment(ref attempts);
                    args.PublishNext(attempt == 1 ? "first" : "second", null, "third", null);
                    if (attempt == 1)
                    {
                        throw new InvalidOperationException("crash after publishing");
                    }
                });
                j.Job("first", _ => runs.Enqueue("first"));
                j.Job("second", _ => runs.Enqueue("second"));
                j.Job("third", _ => runs.Enqueue("third"));
            },
        });
        await cluster.WaitForNodesAsync(1);

        var parent = await cluster.Distributor.EnqueueAsync("parent").WaitAsync(Patience);
        while (cluster.Distributor.InFlightCount + cluster.Distributor.PendingCount > 0)
        {
            await Task.Delay(20);
        }
        await Task.Delay(300);

        Assert.That(parent.Outcome, Is.EqualTo(JobOutcome.Succeeded));
        Assert.That(attempts, Is.EqualTo(2));
        Assert.That(runs.Order(), Is.EqualTo(new[] { "first", "third" }), "each position scheduled once; the first publish wins");
    }

    [Test]
    public async Task A_join_runs_once_with_every_event_when_claims_live_in_memory()
    {
        var joined = new ConcurrentQueue<string>();
        await using var cluster = await Cluster.StartAsync();
        await cluster.Host.StartNodeAsync(new NodeOptions
        {
            Name = "memory_join",
            LogJobProcessing = false,
            Jobs = j =>
            {
                j.Job("root", args =>
                {
                    args.PublishNext("part", new { n = "p1" }, "part", new { n = "p2" }, "part", new { n = "p3" });
                    args.PublishOnEvents(TimeSpan.FromMilliseconds(100), "join", new { who = "root" }, "p1", "p2", "p3");
                });
                j.Job("part", args => args.EmitEvents(args.Get<string>("n"), null));
                j.Job("join", args => joined.Enqueue(string.Join(",", args.Events().Select(e => e.Name).Order())));
            },
        });
        await cluster.WaitForNodesAsync(1);

        cluster.Distributor.Publish("root");
        var deadline = DateTime.UtcNow + Patience;
        while (joined.IsEmpty && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        await Task.Delay(500);

        Assert.That(joined, Is.EqualTo(new[] { "p1,p2,p3" }));
    }

    [Test]
    public async Task A_delayed_next_task_waits_on_a_timer_while_its_parent_finishes_at_once()
    {
        var ran = new ConcurrentQueue<(long Gap, long At)>();
        await using var cluster = await Cluster.StartAsync();
        await cluster.Host.StartNodeAsync(new NodeOptions
        {
            Name = "memory_delay",
            LogJobProcessing = false,
            Jobs = j =>
            {
                j.Job("delayed_parent", args => args.PublishNext(TimeSpan.FromMilliseconds(800), "delayed_child",
                    new { at = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() }));
                j.Job("delayed_child", args =>
                {
                    var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                    ran.Enqueue((now - args.Get<long>("at"), now));
                });
            },
        });
        await cluster.WaitForNodesAsync(1);

        var parent = await cluster.Distributor.EnqueueAsync("delayed_parent").WaitAsync(Patience);
        var parentFinished = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var deadline = DateTime.UtcNow + Patience;
        while (ran.IsEmpty && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.That(parent.Outcome, Is.EqualTo(JobOutcome.Succeeded));
        Assert.That(ran.Single().Gap, Is.GreaterThanOrEqualTo(700), "the child ran no earlier than its delay");
        // A parent that slept through the delay would finish just before its child runs.
        Assert.That(ran.Single().At - parentFinished, Is.GreaterThanOrEqualTo(400), "the delay ran on a timer after the parent finished");
    }

    [Test]
    public async Task Data_that_cannot_be_sent_fails_the_publishing_job_with_the_reason()
    {
        await using var cluster = await Cluster.StartAsync();
        await cluster.Host.StartNodeAsync(new NodeOptions
        {
            Name = "memory_bad_data",
            LogJobProcessing = false,
            Jobs = j => j.Job("bad_publisher", args => args.PublishNext("anything", new { socket = new object() })),
        });
        await cluster.WaitForNodesAsync(1);

        var result = await cluster.Distributor.EnqueueAsync("bad_publisher", null, new EnqueueOptions { MaxAttempt = 1 }).WaitAsync(Patience);

        Assert.That(result.Outcome, Is.EqualTo(JobOutcome.Failed));
        Assert.That(result.Error, Does.Contain("socket"));
    }
}
