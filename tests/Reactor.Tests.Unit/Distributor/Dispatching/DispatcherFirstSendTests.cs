using NUnit.Framework;
using Reactor.Distributor;

namespace Reactor.Tests.Unit.Distributor.Dispatching;

/// <summary>JobEnvelope.OnFirstSend, which UniqueUntil.Start uses to release a key when its job starts on a node.</summary>
[TestFixture]
[CancelAfter(10_000)]
public sealed class DispatcherFirstSendTests : DispatcherFixture
{
    private JobEnvelope Watched(List<string> sends)
    {
        var job = Job();
        job.OnFirstSend = j => sends.Add(j.Id);
        return job;
    }

    [Test]
    public void It_runs_when_the_job_reaches_a_node_not_while_it_waits_for_credit()
    {
        var sends = new List<string>();
        var (slot, node) = Join("a", capacity: 1);
        Submit(1);
        var job = Watched(sends);

        Dispatcher.Submit(job);
        Assert.That(sends, Is.Empty, "waiting for credit: not started");

        Dispatcher.Completed(node.Dispatched[0]);
        Dispatcher.AddCredit(slot, 1);
        Assert.That(sends, Is.EqualTo(new[] { job.Id }));
    }

    [Test]
    public void It_runs_once_even_when_a_lost_node_s_job_is_sent_again()
    {
        var sends = new List<string>();
        var (slotA, _) = Join("a", capacity: 1);
        var job = Watched(sends);
        Dispatcher.Submit(job);
        var (_, b) = Join("b", capacity: 1);

        Dispatcher.Leave(slotA, lost: true);

        Assert.That(b.Dispatched, Is.EqualTo(new[] { job.Id }), "sent again");
        Assert.That(sends, Is.EqualTo(new[] { job.Id }), "once");
    }
}
