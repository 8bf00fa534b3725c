using NUnit.Framework;
using Reactor.Node.Runtime;

namespace Reactor.Tests.Unit.Node;

/// <summary>The bound on a node's job-record writes in flight, which decides when it withholds credit.</summary>
[TestFixture]
public sealed class StoreWriteGateTests
{
    [Test]
    public void Fills_at_the_bound_and_opens_below_it_saying_so_once_each_way()
    {
        var gate = new StoreWriteGate(3);

        Assert.That(gate.Begin(), Is.False);
        Assert.That(gate.Begin(), Is.False);
        Assert.That(gate.IsFull, Is.False, "two of three in flight: credit still goes out");
        Assert.That(gate.Begin(), Is.True, "the third write reaches the bound");
        Assert.That(gate.IsFull, Is.True);
        Assert.That(gate.Begin(), Is.False, "past the bound is not a second crossing");
        Assert.That(gate.End(), Is.False, "back at the bound: still full");
        Assert.That(gate.IsFull, Is.True);
        Assert.That(gate.End(), Is.True, "below the bound: the withheld credit may go");
        Assert.That(gate.IsFull, Is.False);
        Assert.That(gate.End(), Is.False);
        Assert.That(gate.Pending, Is.EqualTo(1));
    }

    [Test]
    public void Counts_exactly_when_writes_start_and_end_on_many_threads()
    {
        var gate = new StoreWriteGate(1_000_000);
        var opened = 0;

        Parallel.For(0, 100_000, _ => gate.Begin());
        Parallel.For(0, 100_000, _ =>
        {
            if (gate.End())
            {
                Interlocked.Increment(ref opened);
            }
        });

        Assert.That(gate.Pending, Is.Zero);
        Assert.That(opened, Is.Zero, "never full, so never reopened");
    }

    [Test]
    public void A_bound_of_one_withholds_credit_while_any_write_is_in_flight()
    {
        var gate = new StoreWriteGate(1);

        Assert.That(gate.Begin(), Is.True);
        Assert.That(gate.IsFull, Is.True);
        Assert.That(gate.End(), Is.True);
        Assert.That(gate.IsFull, Is.False);
    }

    [TestCase(1, 200)]
    [TestCase(2, 400)]
    [TestCase(5, 3200)]
    [TestCase(6, 5000)]
    [TestCase(1000, 5000)]
    public void Unanswered_writes_are_retried_after_a_delay_doubling_to_five_seconds(int attempt, int milliseconds) =>
        Assert.That(ReactorNode.StoreRetryDelay(attempt), Is.EqualTo(TimeSpan.FromMilliseconds(milliseconds)));

    [TestCase(0)]
    [TestCase(-1)]
    [TestCase(10_000_001)]
    public void A_bound_outside_one_to_ten_million_is_refused(int bound)
    {
        var options = new NodeOptions { Name = "n", Jobs = _ => { }, MaxPendingStoreWrites = bound };
        options.Distributors.Add("127.0.0.1:1");

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.That(error!.Message, Does.Contain("MaxPendingStoreWrites must be between 1 and 10,000,000"));
    }
}
