using NUnit.Framework;
using Reactor.Node.Links;
using Reactor.Protocol.Messages;

namespace Reactor.Tests.Unit.Node;

/// <summary>How a node maps a ResultAckRange's numbers back to the final results it sent (protocol.md section 7.5).</summary>
public class AckWindowTests
{
    private static Result Final(string id) => new(id, JobOutcome.Succeeded, new JobArgs(), null, true, 1);

    private static List<string> Ack(AckWindow window, long first, int count)
    {
        var ids = new List<string>();
        window.Acknowledge(first, count, ids);
        return ids;
    }

    [Test]
    public void Results_are_numbered_from_1_in_the_order_they_were_sent()
    {
        var window = new AckWindow();
        foreach (var id in new[] { "a", "b", "c", "d" })
        {
            window.Add(Final(id));
        }

        Assert.That(Ack(window, 2, 2), Is.EqualTo(new[] { "b", "c" }));
        Assert.That(window.Count, Is.EqualTo(4), "a, the oldest, is not acknowledged, so the window still starts at it");
        Assert.That(Ack(window, 1, 1), Is.EqualTo(new[] { "a" }));
        Assert.That(window.Count, Is.EqualTo(1), "acknowledged results at the front leave");
        Assert.That(Ack(window, 4, 1), Is.EqualTo(new[] { "d" }));
        Assert.That(window.Count, Is.Zero);
    }

    [Test]
    public void Numbers_acknowledged_twice_or_never_sent_are_ignored()
    {
        var window = new AckWindow();
        window.Add(Final("a"));
        window.Add(Final("b"));

        Assert.That(Ack(window, 1, 1), Is.EqualTo(new[] { "a" }));
        Assert.That(Ack(window, 1, 1), Is.Empty, "already acknowledged");
        Assert.That(Ack(window, 2, 100), Is.EqualTo(new[] { "b" }), "numbers past the last result sent are ignored");
        Assert.That(Ack(window, long.MaxValue - 1, int.MaxValue), Is.Empty);
    }

    [Test]
    public void A_result_taken_back_before_it_reached_the_wire_moves_later_ones_down_one_number()
    {
        var window = new AckWindow();
        var unsendable = Final("b");
        window.Add(Final("a"));
        window.Add(unsendable);
        window.Add(Final("c"));
        Assert.That(Ack(window, 1, 1), Is.EqualTo(new[] { "a" }));

        Assert.That(window.Remove(unsendable), Is.True);
        Assert.That(window.Remove(unsendable), Is.False);

        // The distributor never saw b: c is its second result, and the replacement of b its third.
        window.Add(Final("b"));
        Assert.That(Ack(window, 2, 2), Is.EqualTo(new[] { "c", "b" }));
        Assert.That(window.Count, Is.Zero);
    }

    [Test]
    public void A_new_connection_numbers_from_1_again()
    {
        var window = new AckWindow();
        for (var i = 0; i < 3000; i++)
        {
            window.Add(Final($"old-{i}"));
        }

        window.Reset();
        window.Add(Final("new"));

        Assert.That(Ack(window, 1, 1), Is.EqualTo(new[] { "new" }));
    }

    [Test]
    public void The_window_grows_and_wraps_around_keeping_every_number()
    {
        var window = new AckWindow();
        var next = 0;
        var acknowledged = new List<string>();
        long first = 1;
        for (var round = 0; round < 50; round++)
        {
            // Add 100, acknowledge 70: the front moves while the back grows past the array's end.
            for (var i = 0; i < 100; i++)
            {
                window.Add(Final($"j{next++}"));
            }
            window.Acknowledge(first, 70, acknowledged);
            first += 70;
        }
        window.Acknowledge(first, int.MaxValue, acknowledged);

        Assert.That(acknowledged, Is.EqualTo(Enumerable.Range(0, next).Select(i => $"j{i}")));
        Assert.That(window.Count, Is.Zero);
    }

    [Test]
    public void Past_its_limit_the_window_drops_its_oldest_result_which_then_stays_unacknowledged()
    {
        var window = new AckWindow();
        for (var i = 0; i <= AckWindow.MaxEntries; i++)
        {
            window.Add(Final($"j{i}"));
        }

        Assert.That(window.Count, Is.EqualTo(AckWindow.MaxEntries));
        Assert.That(Ack(window, 1, 2), Is.EqualTo(new[] { "j1" }), "number 1 was dropped; number 2 is still known");
    }
}
