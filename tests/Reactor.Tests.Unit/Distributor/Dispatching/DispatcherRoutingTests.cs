using NUnit.Framework;
using Reactor.Distributor;

namespace Reactor.Tests.Unit.Distributor.Dispatching;

[TestFixture]
[CancelAfter(10_000)]
public sealed class DispatcherRoutingTests : DispatcherFixture
{
    [Test]
    public void Node_option_sends_the_job_to_the_named_node()
    {
        var (_, a) = Join("a");
        var (_, b) = Join("b");

        var jobs = Submit(3, node: "b");

        Assert.That(b.Dispatched, Is.EqualTo(Ids(jobs)));
        Assert.That(a.Dispatched, Is.Empty);
    }

    [Test]
    public void Node_option_falls_back_to_another_node_when_the_named_one_is_full_or_absent()
    {
        var (_, a) = Join("a", capacity: 5);
        var (_, b) = Join("b", capacity: 1);

        var jobs = Submit(2, node: "b");
        var absent = Job(node: "nosuch");
        Dispatcher.Submit(absent);

        Assert.That(b.Dispatched, Is.EqualTo(new[] { jobs[0].Id }));
        Assert.That(a.Dispatched, Is.EqualTo(new[] { jobs[1].Id, absent.Id }));
    }

    [Test]
    public void NotNode_never_goes_to_that_node_and_waits_when_it_is_the_only_one()
    {
        var (slotA, a) = Join("a", capacity: 5);

        var job = Job(notNode: "a");
        Assert.That(Dispatcher.Submit(job), Is.EqualTo(SubmitResult.Queued));
        Dispatcher.AddCredit(slotA, 1);
        Assert.That(a.Dispatched, Is.Empty);

        var (_, b) = Join("b");
        Assert.That(b.Dispatched, Is.EqualTo(new[] { job.Id }), "a joining node takes the waiting job");
        Assert.That(Dispatcher.PendingCount, Is.Zero);
    }

    [Test]
    public void A_waiting_NotNode_job_does_not_block_later_jobs_for_that_node()
    {
        var (slotA, a) = Join("a", capacity: 1);
        Submit(1);
        var avoid = Job(notNode: "a");
        var after = Job();
        Dispatcher.Submit(avoid);
        Dispatcher.Submit(after);

        Dispatcher.AddCredit(slotA, 1);

        Assert.That(a.Dispatched[1], Is.EqualTo(after.Id));
        Assert.That(Dispatcher.PendingCount, Is.EqualTo(1), "the NotNode job still waits");
    }

    [Test]
    public void Most_free_credit_wins()
    {
        var (_, a) = Join("a", capacity: 3);
        var (_, b) = Join("b", capacity: 1);

        Submit(2);

        Assert.That(a.Dispatched, Has.Count.EqualTo(2), "3 vs 1, then 2 vs 1");
        Assert.That(b.Dispatched, Is.Empty);
    }

    [Test]
    public void Equal_nodes_share_a_burst_evenly()
    {
        var nodes = new[] { Join("a", capacity: 100).Sender, Join("b", capacity: 100).Sender, Join("c", capacity: 100).Sender };

        Submit(90);

        Assert.That(nodes.Select(n => n.Dispatched.Count), Is.EqualTo(new[] { 30, 30, 30 }));
    }

    [Test]
    public void Ties_rotate_instead_of_always_picking_the_first_node()
    {
        var (slotA, a) = Join("a", capacity: 1);
        var (slotB, b) = Join("b", capacity: 1);

        for (var i = 0; i < 4; i++)
        {
            var job = Job();
            Dispatcher.Submit(job);
            Dispatcher.Completed(job.Id);
            // Each node's credit comes back before the next job, so every choice is a tie.
            Dispatcher.AddCredit(slotA.Credit == 0 ? slotA : slotB, 1);
        }

        Assert.That(a.Dispatched, Has.Count.EqualTo(2));
        Assert.That(b.Dispatched, Has.Count.EqualTo(2));
    }
}

[TestFixture]
[CancelAfter(10_000)]
public sealed class DispatcherAlwaysUseSpecifiedNodeTests : DispatcherFixture
{
    private protected override void Configure(DistributorOptions options) => options.AlwaysUseSpecifiedNode = true;

    [Test]
    public void The_job_waits_for_the_named_node_instead_of_going_elsewhere()
    {
        var (_, a) = Join("a", capacity: 5);
        var (slotB, b) = Join("b", capacity: 1);

        var jobs = Submit(2, node: "b");

        Assert.That(b.Dispatched, Is.EqualTo(new[] { jobs[0].Id }));
        Assert.That(a.Dispatched, Is.Empty);
        Assert.That(Dispatcher.PendingCount, Is.EqualTo(1));

        Dispatcher.AddCredit(slotB, 1);
        Assert.That(b.Dispatched, Is.EqualTo(Ids(jobs)));
    }

    [Test]
    public void A_waiting_job_goes_to_the_named_node_when_it_joins_not_to_others()
    {
        var (slotA, a) = Join("a", capacity: 5);
        var job = Job(node: "late");
        Dispatcher.Submit(job);
        Dispatcher.AddCredit(slotA, 1);
        Assert.That(a.Dispatched, Is.Empty);

        var (_, late) = Join("late");

        Assert.That(late.Dispatched, Is.EqualTo(new[] { job.Id }));
    }

    [Test]
    public void Jobs_without_a_node_still_go_anywhere()
    {
        var (_, a) = Join("a");

        var jobs = Submit(2);

        Assert.That(a.Dispatched, Is.EqualTo(Ids(jobs)));
    }
}
