using NUnit.Framework;
using Reactor.Distributor;

namespace Reactor.Tests.Unit.Distributor.Dispatching;

[TestFixture]
[CancelAfter(10_000)]
public sealed class DispatcherPendingTests : DispatcherFixture
{
    private protected override void Configure(DistributorOptions options) => options.PendingCapacity = 3;

    [Test]
    public void Jobs_wait_with_no_node_and_a_joining_node_gets_them_in_order_after_its_Welcome()
    {
        var jobs = Submit(3);
        var log = new List<string>();

        Join("a", log: log);

        Assert.That(log, Is.EqualTo(new[] { "a welcome" }.Concat(jobs.Select(j => $"a dispatch {j.Id}"))));
        Assert.That(Dispatcher.PendingCount, Is.Zero);
    }

    [Test]
    public void Nodes_joining_while_jobs_wait_take_only_their_names_up_to_their_credit()
    {
        var work = Submit(2, "work");
        var other = Submit(1, "other");

        var (_, a) = Join("a", capacity: 5, jobNames: ["other"]);
        var (_, b) = Join("b", capacity: 1, jobNames: ["work"]);

        Assert.That(a.Dispatched, Is.EqualTo(Ids(other)));
        Assert.That(b.Dispatched, Is.EqualTo(new[] { work[0].Id }));
        Assert.That(Dispatcher.PendingCount, Is.EqualTo(1));
    }

    [Test]
    public void A_second_node_with_the_same_name_is_turned_away()
    {
        Join("a");
        var twin = new NodeSlot("a", ["work"], 1, "memory", Time.GetUtcNow(), new FakeNodeSender("twin"));
        var welcomed = false;

        Assert.That(Dispatcher.TryJoin(twin, () => welcomed = true), Is.False);
        Assert.That(welcomed, Is.False);
        Assert.That(Dispatcher.NodeCount, Is.EqualTo(1));
    }

    [Test]
    public void A_full_pending_buffer_refuses_the_job()
    {
        Submit(3);

        var error = Assert.Throws<InvalidOperationException>(() => Dispatcher.Submit(Job()));

        Assert.That(error!.Message, Does.Contain("PendingCapacity"));
        Assert.That(Dispatcher.PendingCount, Is.EqualTo(3));
    }

    [Test]
    public void Jobs_that_wait_past_their_deadline_expire_and_no_others()
    {
        var shortWait = Job(timeout: TimeSpan.FromSeconds(10));
        var longWait = Job(timeout: TimeSpan.FromMinutes(1));
        Dispatcher.Submit(shortWait);
        Dispatcher.Submit(longWait);

        Time.Advance(TimeSpan.FromSeconds(9));
        Assert.That(Dispatcher.TakeExpired(Time.GetUtcNow(), []), Is.Empty);

        Time.Advance(TimeSpan.FromSeconds(1));
        var expired = Dispatcher.TakeExpired(Time.GetUtcNow(), []);

        Assert.That(expired, Is.EqualTo(new[] { new ExpiredJob(shortWait, false) }));
        Assert.That(Dispatcher.PendingCount, Is.EqualTo(1));
        var (_, a) = Join("a");
        Assert.That(a.Dispatched, Is.EqualTo(new[] { longWait.Id }), "an expired job is never sent");
    }

    [Test]
    public void A_job_no_connected_node_announces_expires_after_UnknownJobTimeout()
    {
        Join("a", jobNames: ["other"]);
        var job = Job("typo");
        Dispatcher.Submit(job);

        Time.Advance(Options.UnknownJobTimeout - TimeSpan.FromSeconds(1));
        Assert.That(Dispatcher.TakeExpired(Time.GetUtcNow(), []), Is.Empty);
        Time.Advance(TimeSpan.FromSeconds(1));
        var expired = Dispatcher.TakeExpired(Time.GetUtcNow(), []);

        Assert.That(expired, Is.EqualTo(new[] { new ExpiredJob(job, true) }));
        Assert.That(Dispatcher.UnknownError(job, Dispatcher.KnownJobNames()), Does.Contain("known job names: other"));
    }

    [Test]
    public void A_node_announcing_the_name_restarts_the_unknown_clock()
    {
        Join("a", jobNames: ["other"]);
        var job = Job("late", notNode: "b");
        Dispatcher.Submit(job);
        Time.Advance(TimeSpan.FromSeconds(20));
        var (slotB, _) = Join("b", jobNames: ["late"]);
        Assert.That(Dispatcher.TakeExpired(Time.GetUtcNow(), []), Is.Empty);
        Time.Advance(TimeSpan.FromSeconds(20));
        Dispatcher.Leave(slotB, lost: false);

        // Unknown again since now, not since it was queued 40 s ago.
        Time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(Dispatcher.TakeExpired(Time.GetUtcNow(), []), Is.Empty);
        Time.Advance(Options.UnknownJobTimeout);
        Assert.That(Dispatcher.TakeExpired(Time.GetUtcNow(), []), Is.EqualTo(new[] { new ExpiredJob(job, true) }));
    }

    [Test]
    public void Jobs_queued_before_any_node_are_reported_unknown_once_when_a_node_without_the_name_joins()
    {
        Dispatcher.Submit(Job("typo"));
        Dispatcher.Submit(Job("typo"));
        Join("a", jobNames: ["other"]);
        var newlyUnknown = new List<string>();

        Dispatcher.TakeExpired(Time.GetUtcNow(), newlyUnknown);
        Dispatcher.TakeExpired(Time.GetUtcNow(), newlyUnknown);

        Assert.That(newlyUnknown, Is.EqualTo(new[] { "typo" }));
    }

    [Test]
    public void Cancel_removes_a_waiting_job_and_asks_the_node_holding_a_running_one()
    {
        var (_, a) = Join("a", capacity: 1);
        var running = Submit(1)[0];
        var waiting = Submit(1)[0];

        Assert.That(Dispatcher.Cancel(waiting.Id, out var removed), Is.EqualTo(CancelResult.Cancelled));
        Assert.That(removed, Is.SameAs(waiting));
        Assert.That(Dispatcher.PendingCount, Is.Zero);
        Assert.That(Dispatcher.Cancel(running.Id, out removed), Is.EqualTo(CancelResult.Requested));
        Assert.That(removed, Is.Null);
        Assert.That(a.Cancelled, Is.EqualTo(new[] { running.Id }));
        Assert.That(Dispatcher.Cancel("nosuch", out _), Is.EqualTo(CancelResult.NotFound));
    }

    [Test]
    public void A_waiting_copy_settled_from_elsewhere_is_never_sent()
    {
        var job = Submit(1)[0];

        Dispatcher.Completed(job.Id);
        var (_, a) = Join("a");

        Assert.That(a.Dispatched, Is.Empty);
        Assert.That(Dispatcher.PendingCount, Is.Zero);
    }

    [Test]
    public void The_snapshot_shows_slots_and_waiting_names()
    {
        var (slotA, a) = Join("a", capacity: 1);
        a.LastReceived = Time.GetUtcNow();
        Submit(2);
        Time.Advance(TimeSpan.FromSeconds(4));

        var (nodes, pending, pendingCount, inFlight) = Dispatcher.Snapshot(Time.GetUtcNow());

        Assert.That(nodes, Has.Count.EqualTo(1));
        Assert.That(nodes[0], Is.EqualTo(new NodeSnapshot("a", "a", slotA.ConnectedSince, ["work"], 0, 1, a.LastReceived, true))
            .Using<NodeSnapshot>((x, y) => x.Name == y.Name && x.Endpoint == y.Endpoint && x.Credit == y.Credit && x.InFlight == y.InFlight
                && x.JobNames.SequenceEqual(y.JobNames) && x.LastHeartbeat == y.LastHeartbeat && x.Accepting == y.Accepting));
        Assert.That(pending, Is.EqualTo(new[] { new PendingJobsSnapshot("work", 1, TimeSpan.FromSeconds(4), true) }));
        Assert.That((pendingCount, inFlight), Is.EqualTo((1, 1)));
    }
}
