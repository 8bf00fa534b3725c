using NUnit.Framework;
using Reactor.Tests.Integration.Support;

namespace Reactor.Tests.Integration.Metrics;

/// <summary>Job names are tag values, so a bug that puts ids in job names must not explode the series count.</summary>
[TestFixture]
[CancelAfter(120_000)]
public sealed class CardinalityTests
{
    [Test]
    public async Task Ten_thousand_distinct_job_names_report_at_most_a_thousand_names_plus_other()
    {
        await using var cluster = await Cluster.StartAsync();
        using var reader = new MeterReader(cluster.Distributor.Metrics.Meter);
        const int names = 10_000;

        for (var i = 0; i < names; i++)
        {
            // No node runs these: they wait in the distributor, so the pending gauge sees every name too.
            cluster.Distributor.Enqueue($"job-{i}");
        }

        var enqueued = reader.Readings.Where(r => r.Instrument == "reactor.jobs.enqueued").ToList();
        var enqueuedNames = enqueued.Select(r => r.Tags["reactor.job.name"]).Distinct().ToList();
        var pending = reader.Observe().Where(r => r.Instrument == "reactor.jobs.pending").ToList();
        Assert.Multiple(() =>
        {
            Assert.That(enqueued.Sum(r => r.Value), Is.EqualTo(names), "every job is still counted");
            Assert.That(enqueuedNames, Has.Count.EqualTo(1001), "1,000 names and 'other'");
            Assert.That(enqueuedNames, Does.Contain("other"));
            Assert.That(enqueued.Count(r => r.Tags["reactor.job.name"] == "other"), Is.EqualTo(names - 1000));
            Assert.That(pending, Has.Count.EqualTo(1001), "the pending gauge shares the cap");
            Assert.That(pending.Sum(r => r.Value), Is.EqualTo(names));
            Assert.That(cluster.Logs.Lines.Count(l => l.Contains("distinct job names", StringComparison.Ordinal)), Is.EqualTo(1),
                "the overflow is logged once");
        });
    }
}
