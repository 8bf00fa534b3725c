using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using Reactor.Node.Runtime;

namespace Reactor.Tests.Unit.Node;

/// <summary>The per-attempt progress rate limit, on a fake clock.</summary>
public sealed class ProgressGateTests
{
    [Test]
    public void The_first_report_goes_at_once_later_ones_coalesce_and_the_latest_goes_when_the_interval_ends()
    {
        var time = new FakeTimeProvider();
        var sent = new List<string>();
        using var gate = new ProgressGate(time, TimeSpan.FromMilliseconds(100), (f, m) => sent.Add($"{f} {m}"));

        gate.Report(0.1, "a");
        for (var i = 0; i < 100_000; i++)
        {
            gate.Report(0.2, "flood");
        }
        gate.Report(0.3, "latest");
        Assert.That(sent, Is.EqualTo(new[] { "0.1 a" }));

        time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.That(sent, Is.EqualTo(new[] { "0.1 a", "0.3 latest" }));
        Assert.That(gate.Coalesced, Is.EqualTo(100_000));
    }

    [Test]
    public void Close_sends_the_waiting_report_and_drops_later_ones()
    {
        var time = new FakeTimeProvider();
        var sent = new List<double>();
        var gate = new ProgressGate(time, TimeSpan.FromMilliseconds(100), (f, _) => sent.Add(f));

        gate.Report(0.5, null);
        gate.Report(1.0, null);
        gate.Close();
        gate.Report(0.7, null);
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.That(sent, Is.EqualTo(new[] { 0.5, 1.0 }));
    }
}
