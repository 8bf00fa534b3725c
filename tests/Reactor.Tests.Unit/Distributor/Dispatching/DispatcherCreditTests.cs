using NUnit.Framework;
using Reactor.Distributor;

namespace Reactor.Tests.Unit.Distributor.Dispatching;

[TestFixture]
[CancelAfter(10_000)]
public sealed class DispatcherCreditTests : DispatcherFixture
{
    [Test]
    public void A_node_is_sent_no_more_jobs_than_its_credit()
    {
        var (_, node) = Join("a", capacity: 2);

        var jobs = Submit(3);

        Assert.That(node.Dispatched, Is.EqualTo(Ids(jobs.Take(2))));
        Assert.That(Dispatcher.PendingCount, Is.EqualTo(1));
        Assert.That(Dispatcher.InFlightCount, Is.EqualTo(2));
    }

    [Test]
    public void Returned_credit_sends_waiting_jobs_oldest_first()
    {
        var (slot, node) = Join("a", capacity: 1);
        var jobs = Submit(4);

        Dispatcher.AddCredit(slot, 1);
        Assert.That(node.Dispatched, Is.EqualTo(Ids(jobs.Take(2))));

        Dispatcher.AddCredit(slot, 5);
        Assert.That(node.Dispatched, Is.EqualTo(Ids(jobs)), "FIFO per name");
        Assert.That(slot.Credit, Is.EqualTo(3), "1 + 1 + 5 credits, 4 jobs");
        Assert.That(Dispatcher.PendingCount, Is.Zero);
    }

    [Test]
    public void A_final_result_does_not_return_credit_only_the_node_does()
    {
        var (slot, node) = Join("a", capacity: 1);
        var jobs = Submit(2);

        Dispatcher.Completed(jobs[0].Id);

        Assert.That(node.Dispatched, Is.EqualTo(Ids(jobs.Take(1))), "credit comes back in a Credit message, not with the result");
        Assert.That(Dispatcher.InFlightCount, Is.Zero);
        Assert.That(slot.Jobs, Is.Empty);
        Dispatcher.AddCredit(slot, 1);
        Assert.That(node.Dispatched, Is.EqualTo(Ids(jobs)));
    }

    [Test]
    public void A_node_that_said_goodbye_gets_nothing_even_with_credit()
    {
        var (slot, node) = Join("a", capacity: 1);
        Dispatcher.StopSendingTo(slot);

        Submit(1);
        Dispatcher.AddCredit(slot, 3);

        Assert.That(node.Dispatched, Is.Empty);
        Assert.That(Dispatcher.PendingCount, Is.EqualTo(1));
    }

    [Test]
    public void Credit_saturates_instead_of_overflowing()
    {
        var (slot, _) = Join("a", capacity: 1);

        Dispatcher.AddCredit(slot, int.MaxValue);

        Assert.That(slot.Credit, Is.EqualTo(int.MaxValue));
    }

    [Test]
    public void Only_nodes_that_announce_the_job_name_get_it()
    {
        var (_, other) = Join("a", jobNames: ["other"]);

        var first = Dispatcher.Submit(Job("work"));
        var second = Dispatcher.Submit(Job("work"));

        Assert.That(other.Dispatched, Is.Empty);
        Assert.That(first, Is.EqualTo(SubmitResult.UnknownName), "the first waiting job of an unknown name is reported");
        Assert.That(second, Is.EqualTo(SubmitResult.Queued), "once, not per job");
        Assert.That(Dispatcher.KnownJobNames(), Is.EqualTo(new[] { "other" }));
    }
}
