using NUnit.Framework;
using Reactor.Distributor.Batching;

namespace Reactor.Tests.Unit.Distributor;

/// <summary>A batch recovered after a restart completes once, when its remaining jobs settled, with Redis's counts added.</summary>
[TestFixture]
public sealed class BatchTrackerTests
{
    private static JobResult Result(JobOutcome outcome) => new("j", outcome, new JobArgs(), null);

    [Test]
    public void A_restored_batch_completes_once_its_journaled_jobs_settle_counting_what_Redis_counted()
    {
        var completed = new List<BatchResult>();
        var tracker = new BatchTracker(completed.Add);

        tracker.Restore(total: 5, succeeded: 2, failed: 1, cancelled: 0);
        tracker.Settled(Result(JobOutcome.Succeeded));
        Assert.That(completed, Is.Empty, "one job is still journaled");
        tracker.Settled(Result(JobOutcome.Cancelled));
        tracker.Seal();

        Assert.That(completed, Is.EqualTo(new[] { new BatchResult(5, 3, 1, 1) }));
    }

    [Test]
    public void A_restored_batch_with_nothing_left_completes_at_once()
    {
        var completed = new List<BatchResult>();

        new BatchTracker(completed.Add).Restore(total: 3, succeeded: 3, failed: 0, cancelled: 0);

        Assert.That(completed, Is.EqualTo(new[] { new BatchResult(3, 3, 0, 0) }));
    }
}
