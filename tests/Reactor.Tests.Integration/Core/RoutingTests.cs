using NUnit.Framework;
using Reactor.Tests.Integration.Support;

namespace Reactor.Tests.Integration.Core;

/// <summary>Node, NotNode and AlwaysUseSpecifiedNode with real node processes.</summary>
[TestFixture]
[CancelAfter(180_000)]
public sealed class RoutingTests
{
    private static async Task<string[]> RunOnAsync(ReactorDistributor distributor, int count, EnqueueOptions? options)
    {
        var results = await Task.WhenAll(Enumerable.Range(0, count).Select(_ => distributor.EnqueueAsync("node_name", null, options)))
            .WaitAsync(Cluster.Patience);
        return results.Select(r => r.Args.Get<string>("node")).ToArray();
    }

    [Test]
    public async Task Node_picks_that_node_and_NotNode_is_never_used()
    {
        await using var cluster = await Cluster.StartAsync();
        cluster.StartNode("a");
        cluster.StartNode("b");
        cluster.StartNode("c");
        await cluster.WaitForNodesAsync(3);

        var pinned = await RunOnAsync(cluster.Distributor, 30, new EnqueueOptions { Node = "b" });
        var avoided = await RunOnAsync(cluster.Distributor, 60, new EnqueueOptions { NotNode = "a" });

        Assert.That(pinned.Distinct(), Is.EqualTo(new[] { "b" }));
        Assert.That(avoided, Has.None.EqualTo("a"));
        Assert.That(avoided.Distinct().Order(), Is.EqualTo(new[] { "b", "c" }), "the eligible nodes share the load");
    }

    [Test]
    public async Task Without_AlwaysUseSpecifiedNode_a_job_for_an_absent_node_runs_elsewhere()
    {
        await using var cluster = await Cluster.StartAsync();
        cluster.StartNode("present");
        await cluster.WaitForNodesAsync(1);

        var ran = await RunOnAsync(cluster.Distributor, 5, new EnqueueOptions { Node = "absent" });

        Assert.That(ran.Distinct(), Is.EqualTo(new[] { "present" }));
    }

    [Test]
    public async Task With_AlwaysUseSpecifiedNode_a_job_waits_for_its_node_and_fails_after_its_timeout_if_it_never_comes()
    {
        await using var cluster = await Cluster.StartAsync(o => o.AlwaysUseSpecifiedNode = true);
        cluster.StartNode("other");
        await cluster.WaitForNodesAsync(1);

        var waiting = cluster.Distributor.EnqueueAsync("node_name", null, new EnqueueOptions { Node = "vip" });
        var ghost = cluster.Distributor.EnqueueAsync("node_name", null, new EnqueueOptions { Node = "ghost", Timeout = TimeSpan.FromSeconds(2) });
        // A job sent to 'other' after them has run there: had the dispatcher sent 'vip' jobs to
        // 'other', they would have gone first. Both must still be waiting in the distributor.
        var sentinel = await cluster.Distributor.EnqueueAsync("node_name", null, new EnqueueOptions { Node = "other" }).WaitAsync(Cluster.Patience);
        Assert.That(sentinel.Args.Get<string>("node"), Is.EqualTo("other"));
        Assert.That(waiting.IsCompleted, Is.False, "it does not run on 'other'");
        Assert.That(cluster.Distributor.PendingCount, Is.EqualTo(2), "both jobs wait for their own node");

        cluster.StartNode("vip");
        var ran = await waiting.WaitAsync(Cluster.Patience);
        var failed = await ghost.WaitAsync(Cluster.Patience);

        Assert.That(ran.Args.Get<string>("node"), Is.EqualTo("vip"));
        Assert.That(failed.Outcome, Is.EqualTo(JobOutcome.Failed));
        Assert.That(failed.Error, Does.Contain("node 'ghost'"));
    }
}
