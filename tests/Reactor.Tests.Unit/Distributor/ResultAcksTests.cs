using System.Collections.Concurrent;
using NUnit.Framework;
using Reactor.Distributor.Sessions;
using Reactor.Protocol.Messages;

namespace Reactor.Tests.Unit.Distributor;

/// <summary>How a session acknowledges recorded final results: per job up to version 2, in ranges from version 3.</summary>
public class ResultAcksTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Test]
    public void A_version_2_connection_gets_one_ResultAck_per_job_at_once()
    {
        var sent = new List<IReactorMessage>();
        var acks = new ResultAcks(sent.Add, ranges: false);

        acks.Recorded("a", acks.Next());
        acks.Recorded("b", acks.Next());

        Assert.That(sent, Is.EqualTo(new IReactorMessage[] { new ResultAck("a"), new ResultAck("b") }));
        acks.EndBatch();
        Assert.That(sent, Has.Count.EqualTo(2));
    }

    [Test]
    public void Results_recorded_while_the_read_loop_handles_a_batch_go_out_as_one_range_after_it()
    {
        var sent = new List<IReactorMessage>();
        var acks = new ResultAcks(sent.Add, ranges: true);

        for (var i = 0; i < 500; i++)
        {
            acks.Recorded($"j{i}", acks.Next());
        }
        Assert.That(sent, Is.Empty, "nothing before the batch is done");

        acks.EndBatch();
        Assert.That(sent, Is.EqualTo(new IReactorMessage[] { new ResultAckRange(1, 500) }));

        acks.Recorded("next", acks.Next());
        acks.EndBatch();
        Assert.That(sent[^1], Is.EqualTo(new ResultAckRange(501, 1)), "numbering goes on across batches");
    }

    [Test]
    public void A_result_never_recorded_leaves_a_gap_and_the_results_around_it_are_still_acknowledged()
    {
        var sent = new List<IReactorMessage>();
        var acks = new ResultAcks(sent.Add, ranges: true);
        var one = acks.Next();
        _ = acks.Next(); // its journal write never completes
        var three = acks.Next();
        var four = acks.Next();

        acks.Recorded("j1", one);
        acks.Recorded("j3", three);
        acks.Recorded("j4", four);
        acks.EndBatch();

        Assert.That(sent, Is.EqualTo(new IReactorMessage[] { new ResultAckRange(1, 1), new ResultAckRange(3, 2) }));
    }

    [Test]
    public void Results_recorded_out_of_order_join_one_range()
    {
        var sent = new List<IReactorMessage>();
        var acks = new ResultAcks(sent.Add, ranges: true);
        var numbers = Enumerable.Range(0, 3).Select(_ => acks.Next()).ToArray();

        acks.Recorded("j3", numbers[2]);
        acks.Recorded("j2", numbers[1]);
        acks.Recorded("j1", numbers[0]);
        acks.EndBatch();

        Assert.That(sent, Is.EqualTo(new IReactorMessage[] { new ResultAckRange(1, 3) }));
    }

    [Test]
    public void Results_recorded_after_their_batch_ended_are_sent_without_waiting_for_another_batch()
    {
        // A journal write completing on another thread: no read loop batch will come to carry its ack.
        var sent = new BlockingCollection<IReactorMessage>();
        var acks = new ResultAcks(sent.Add, ranges: true);
        var one = acks.Next();
        var two = acks.Next();
        acks.EndBatch();
        Assert.That(sent, Is.Empty);

        var recorders = new[] { Task.Run(() => acks.Recorded("j1", one)), Task.Run(() => acks.Recorded("j2", two)) };
        Task.WaitAll(recorders, Patience);

        var acknowledged = new List<long>();
        while (acknowledged.Count < 2)
        {
            Assert.That(sent.TryTake(out var message, Patience), Is.True, "the recorded results were acknowledged");
            var range = (ResultAckRange)message!;
            for (var n = range.First; n < range.First + range.Count; n++)
            {
                acknowledged.Add(n);
            }
        }
        Assert.That(acknowledged.Order(), Is.EqualTo(new long[] { 1, 2 }), "each number once");
    }
}
