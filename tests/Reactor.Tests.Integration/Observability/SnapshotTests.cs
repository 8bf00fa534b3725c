using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using Reactor.Tests.Integration.Support;

namespace Reactor.Tests.Integration.Observability;

/// <summary>
/// <see cref="ReactorDistributor.GetSnapshot"/> against a real node process: the distributor runs on a
/// fake clock so ages are exact, while the node and the sockets run in real time.
/// </summary>
[TestFixture]
[CancelAfter(120_000)]
public sealed class SnapshotTests
{
    [Test]
    public async Task Snapshot_shows_nodes_credit_in_flight_pending_with_oldest_age_recent_results_and_counts()
    {
        var time = new FakeTimeProvider();
        // The node keeps real time: with heartbeats on the frozen clock it would hear none and leave.
        await using var cluster = await Cluster.StartAsync(o => o.HeartbeatInterval = TimeSpan.FromHours(1), time);
        cluster.StartNode("snap", "--capacity", "3");
        await cluster.WaitForNodesAsync(1);
        var distributor = cluster.Distributor;

        var added = await distributor.EnqueueAsync("add", new { a = 1, b = 2 }).WaitAsync(Cluster.Patience);
        var failed = await distributor.EnqueueAsync("fail", null, new EnqueueOptions { MaxAttempt = 1 }).WaitAsync(Cluster.Patience);
        Assert.That((added.Outcome, failed.Outcome), Is.EqualTo((JobOutcome.Succeeded, JobOutcome.Failed)));
        // Three long jobs take all the node's credit, so the next known job waits for credit.
        for (var i = 0; i < 3; i++)
        {
            distributor.Enqueue("sleep", new { ms = 600_000 });
        }
        var waiting = distributor.Enqueue("noop");
        time.Advance(TimeSpan.FromSeconds(7));
        distributor.Enqueue("nosuch");
        time.Advance(TimeSpan.FromSeconds(1));

        var snapshot = distributor.GetSnapshot();

        Assert.That(snapshot.Endpoint, Is.EqualTo(cluster.Address));
        Assert.That(snapshot.Nodes, Has.Count.EqualTo(1));
        var node = snapshot.Nodes[0];
        Assert.That(node.Name, Is.EqualTo("snap"));
        Assert.That(node.JobNames, Does.Contain("add").And.Contain("sleep").And.Not.Contain("nosuch"));
        Assert.That(node.Credit, Is.Zero);
        Assert.That(node.InFlight, Is.EqualTo(3));
        Assert.That(node.ConnectedSince, Is.LessThanOrEqualTo(snapshot.TakenAt - TimeSpan.FromSeconds(8)));
        Assert.That(node.Accepting, Is.True);
        Assert.That(snapshot.InFlightCount, Is.EqualTo(3));
        Assert.That(snapshot.PendingCount, Is.EqualTo(2));
        Assert.That(snapshot.Pending, Is.EqualTo(new[]
        {
            new PendingJobsSnapshot("noop", 1, TimeSpan.FromSeconds(8), Known: true),
            new PendingJobsSnapshot("nosuch", 1, TimeSpan.FromSeconds(1), Known: false),
        }));
        Assert.That(snapshot.RecentResults.Select(r => (r.JobId, r.Name, r.Outcome)), Is.EqualTo(new[]
        {
            (failed.JobId, "fail", JobOutcome.Failed),
            (added.JobId, "add", JobOutcome.Succeeded),
        }), "newest first");
        Assert.That(snapshot.RecentResults[0].Error, Does.Contain("boom"));
        Assert.That(snapshot.Outcomes, Is.EqualTo(new OutcomeCounts(1, 1, 0)));

        Assert.That(distributor.Cancel(waiting), Is.EqualTo(CancelResult.Cancelled));
        var after = distributor.GetSnapshot();
        Assert.That(after.Outcomes, Is.EqualTo(new OutcomeCounts(1, 1, 1)));
        Assert.That(after.RecentResults[0], Is.EqualTo(new RecentResult(waiting, "noop", JobOutcome.Cancelled, "cancelled by the application", time.GetUtcNow())));
        Assert.That(after.Pending.Select(p => p.Name), Is.EqualTo(new[] { "nosuch" }));
    }

    [Test]
    public async Task Snapshot_json_round_trips()
    {
        await using var cluster = await Cluster.StartAsync();
        cluster.StartNode("json");
        await cluster.WaitForNodesAsync(1);
        await cluster.Distributor.EnqueueAsync("add", new { a = 1, b = 1 }).WaitAsync(Cluster.Patience);
        var json = DistributorSnapshotJson.Serialize(cluster.Distributor.GetSnapshot());

        var read = DistributorSnapshotJson.Deserialize(json);

        Assert.That(read.Nodes.Single().Name, Is.EqualTo("json"));
        Assert.That(read.RecentResults.Single().Outcome, Is.EqualTo(JobOutcome.Succeeded));
        Assert.That(DistributorSnapshotJson.Serialize(read), Is.EqualTo(json));
    }

    [Test]
    public void The_ring_keeps_the_last_hundred_results_newest_first()
    {
        var log = new Reactor.Distributor.Feedback.ResultLog(TimeProvider.System);
        for (var i = 0; i < 250; i++)
        {
            log.Add("n", new JobResult(i.ToString(System.Globalization.CultureInfo.InvariantCulture), JobOutcome.Succeeded, new JobArgs(), null));
        }

        var recent = log.Recent();

        Assert.That(recent, Has.Count.EqualTo(100));
        Assert.That(recent[0].JobId, Is.EqualTo("249"));
        Assert.That(recent[^1].JobId, Is.EqualTo("150"));
        Assert.That(log.Counts.Succeeded, Is.EqualTo(250));
    }
}
