using NUnit.Framework;

namespace Reactor.Tests.Unit.Distributor.Dispatching;

[TestFixture]
[CancelAfter(10_000)]
public sealed class DispatcherLeaveTests : DispatcherFixture
{
    [Test]
    public void A_lost_nodes_jobs_go_to_another_node_with_their_ids()
    {
        var (slotA, a) = Join("a", capacity: 2);
        var jobs = Submit(2);
        var (_, b) = Join("b", capacity: 5);

        var outcome = Dispatcher.Leave(slotA, lost: true);

        Assert.That(outcome.Resent, Is.EqualTo(2));
        Assert.That(outcome.Exhausted, Is.Empty);
        // Each was on a lost node, so each is a suspect and travels alone: the first goes now, the
        // second when the first proves harmless.
        Assert.That(b.Dispatched, Is.EqualTo(new[] { jobs[0].Id }));
        Assert.That(Dispatcher.PendingCount, Is.EqualTo(1));
        Assert.That(jobs.Select(j => j.Losses), Is.EqualTo(new[] { 1, 1 }));
        Assert.That(Dispatcher.NodeNames, Is.EqualTo(new[] { "b" }));
        Assert.That(a.Dispatched, Is.EqualTo(Ids(jobs)));
    }

    [Test]
    public void A_suspect_that_settles_frees_its_node_for_the_next()
    {
        var (slotA, _) = Join("a", capacity: 2);
        var jobs = Submit(2);
        var (_, b) = Join("b", capacity: 5);
        Dispatcher.Leave(slotA, lost: true);

        Dispatcher.Completed(jobs[0].Id);

        Assert.That(b.Dispatched, Is.EqualTo(Ids(jobs)));
        Assert.That(Dispatcher.PendingCount, Is.Zero);
    }

    [Test]
    public void A_periodic_run_that_succeeds_forgives_the_losses_and_releases_the_node()
    {
        var (slotA, _) = Join("a", capacity: 2);
        var jobs = Submit(2);
        var (_, b) = Join("b", capacity: 5);
        Dispatcher.Leave(slotA, lost: true);

        Dispatcher.Progressed(jobs[0].Id);

        Assert.That(jobs[0].Losses, Is.Zero);
        Assert.That(b.Dispatched, Is.EqualTo(Ids(jobs)));
    }

    [Test]
    public void With_no_other_node_the_jobs_wait_and_the_next_node_to_join_gets_them()
    {
        var (slotA, _) = Join("a", capacity: 1);
        var job = Submit(1)[0];
        Dispatcher.Leave(slotA, lost: true);
        Assert.That(Dispatcher.PendingCount, Is.EqualTo(1));
        Assert.That(Dispatcher.InFlightCount, Is.Zero);

        var (_, b) = Join("b");

        Assert.That(b.Dispatched, Is.EqualTo(new[] { job.Id }));
        Assert.That(job.Dispatches, Is.EqualTo(2));
    }

    [Test]
    public void A_node_that_said_goodbye_hands_its_jobs_back_without_charging_them()
    {
        var (slotA, _) = Join("a", capacity: 2);
        var jobs = Submit(2);
        var (_, b) = Join("b", capacity: 5);
        Dispatcher.StopSendingTo(slotA);

        var outcome = Dispatcher.Leave(slotA, lost: true);

        Assert.That(outcome.Resent, Is.EqualTo(2));
        Assert.That(jobs.Select(j => j.Losses), Is.EqualTo(new[] { 0, 0 }), "a rolling restart is no evidence against the jobs");
        Assert.That(b.Dispatched, Is.EqualTo(Ids(jobs)), "not suspects, so they travel together");
    }

    [Test]
    public void Our_own_shutdown_does_not_charge_the_jobs()
    {
        var (slotA, _) = Join("a", capacity: 1);
        var job = Submit(1)[0];

        Dispatcher.Leave(slotA, lost: false);

        Assert.That(job.Losses, Is.Zero);
    }

    [Test]
    public void A_job_that_keeps_killing_nodes_is_exhausted_after_MaxDispatches()
    {
        var job = Job(maxDispatches: 2);
        var (first, _) = Join("a", capacity: 1);
        Dispatcher.Submit(job);

        var once = Dispatcher.Leave(first, lost: true);
        var (second, b) = Join("b", capacity: 1);
        Assert.That(b.Dispatched, Is.EqualTo(new[] { job.Id }));
        var twice = Dispatcher.Leave(second, lost: true);

        Assert.That(once.Exhausted, Is.Empty);
        Assert.That(twice.Exhausted, Is.EqualTo(new[] { job }));
        Assert.That(twice.Resent, Is.Zero);
        Assert.That(Dispatcher.PendingCount + Dispatcher.InFlightCount, Is.Zero, "not sent again");
        Assert.That(Dispatcher.ExhaustedError(job), Does.Contain("MaxDispatches 2"));
    }

    [Test]
    public void A_failure_from_the_superseded_copy_is_recognised()
    {
        var (slotA, _) = Join("a", capacity: 1);
        var job = Submit(1)[0];
        var (slotB, _) = Join("b", capacity: 1);
        Dispatcher.Leave(slotA, lost: true);

        Assert.That(Dispatcher.IsHeldByAnother(job.Id, slotA), Is.True);
        Assert.That(Dispatcher.IsHeldByAnother(job.Id, slotB), Is.False);
    }

    [Test]
    public void Leaving_twice_is_harmless()
    {
        var (slotA, _) = Join("a", capacity: 1);
        Submit(1);
        Dispatcher.Leave(slotA, lost: true);

        var again = Dispatcher.Leave(slotA, lost: true);

        Assert.That(again.Resent, Is.Zero);
        Assert.That(Dispatcher.PendingCount, Is.EqualTo(1));
    }

    [Test]
    public void A_suspect_returning_to_its_restarted_durable_node_is_not_quarantined()
    {
        var (slotA, _) = Join("a", capacity: 2, storage: "redis");
        var jobs = Submit(2);
        Dispatcher.Leave(slotA, lost: true);

        var (_, again) = Join("a", capacity: 2, storage: "redis");

        Assert.That(again.Dispatched, Is.EqualTo(Ids(jobs)), "the node resumed them from its own records");
    }
}
