using NUnit.Framework;
using Reactor.Distributor;

namespace Reactor.Tests.Unit.Distributor.Dispatching;

/// <summary>EnqueueOptions.Priority: the order jobs waiting for credit are handed out, and the aging bound.</summary>
[TestFixture]
[CancelAfter(10_000)]
public sealed class DispatcherPriorityTests : DispatcherFixture
{
    private static readonly TimeSpan Aging = TimeSpan.FromSeconds(30);

    private protected override void Configure(DistributorOptions options) => options.PriorityAging = Aging;

    private JobEnvelope Waiting(JobPriority priority, string name = "work", string? node = null)
    {
        var plain = Job(name);
        var job = new JobEnvelope(plain.Dispatch, node, null, plain.Deadline) { Priority = priority };
        Dispatcher.Submit(job);
        return job;
    }

    /// <summary>The node finishes the job it was sent last and returns its credit.</summary>
    private void FinishOne(NodeSlot slot, FakeNodeSender node)
    {
        Dispatcher.Completed(node.Dispatched[^1]);
        Dispatcher.AddCredit(slot, 1);
    }

    [Test]
    public void Waiting_jobs_go_high_then_normal_then_low_oldest_first_and_across_names()
    {
        var order = new[] { JobPriority.Low, JobPriority.Normal, JobPriority.High, JobPriority.Low, JobPriority.High, JobPriority.Normal };
        var jobs = new List<JobEnvelope>();
        foreach (var (priority, i) in order.Select((p, i) => (p, i)))
        {
            jobs.Add(Waiting(priority, i % 2 == 0 ? "work" : "other"));
            Time.Advance(TimeSpan.FromMilliseconds(1));
        }

        var (slot, node) = Join("a", capacity: 1, jobNames: ["work", "other"]);
        for (var i = 1; i < jobs.Count; i++)
        {
            FinishOne(slot, node);
        }

        string[] expected = [jobs[2].Id, jobs[4].Id, jobs[1].Id, jobs[5].Id, jobs[0].Id, jobs[3].Id];
        Assert.That(node.Dispatched, Is.EqualTo(expected));
    }

    [Test]
    public void Within_a_level_the_oldest_goes_first_whichever_name_the_node_lists_first()
    {
        var older = Waiting(JobPriority.Normal, "other");
        Time.Advance(TimeSpan.FromMilliseconds(1));
        var newer = Waiting(JobPriority.Normal, "work");

        var (slot, node) = Join("a", capacity: 1, jobNames: ["work", "other"]);
        FinishOne(slot, node);

        Assert.That(node.Dispatched, Is.EqualTo(new[] { older.Id, newer.Id }));
    }

    [Test]
    public void A_low_job_waiting_past_the_aging_bound_goes_before_newer_high_ones()
    {
        var low = Waiting(JobPriority.Low);
        Time.Advance(Aging + TimeSpan.FromSeconds(1));
        var high = Enumerable.Range(0, 3).Select(_ => Waiting(JobPriority.High)).ToList();

        var (_, node) = Join("a", capacity: 2);

        Assert.That(node.Dispatched, Is.EqualTo(new[] { low.Id, high[0].Id }), "the aged low job first, then high");
    }

    [Test]
    public void Below_the_bound_high_jobs_keep_going_first()
    {
        var low = Waiting(JobPriority.Low);
        Time.Advance(Aging - TimeSpan.FromSeconds(1));
        var high = Waiting(JobPriority.High);

        var (_, node) = Join("a", capacity: 1);

        Assert.That(node.Dispatched, Is.EqualTo(new[] { high.Id }));
        Assert.That(Dispatcher.PendingCount, Is.EqualTo(1), $"{low.Id} still waits");
    }

    [Test]
    public void Aged_jobs_go_oldest_first_whatever_their_level()
    {
        var normal = Waiting(JobPriority.Normal);
        Time.Advance(TimeSpan.FromSeconds(1));
        var high = Waiting(JobPriority.High);
        Time.Advance(TimeSpan.FromSeconds(1));
        var low = Waiting(JobPriority.Low);
        Time.Advance(Aging);
        var fresh = Waiting(JobPriority.High);

        var (slot, node) = Join("a", capacity: 1);
        for (var i = 0; i < 3; i++)
        {
            FinishOne(slot, node);
        }

        Assert.That(node.Dispatched, Is.EqualTo(new[] { normal.Id, high.Id, low.Id, fresh.Id }));
    }

    [Test]
    public void An_aged_job_another_node_must_run_does_not_hold_back_the_jobs_behind_it()
    {
        Options.AlwaysUseSpecifiedNode = true;
        var pinned = Waiting(JobPriority.High, node: "b");
        var behind = Waiting(JobPriority.High);
        Time.Advance(Aging + TimeSpan.FromSeconds(1));
        var low = Waiting(JobPriority.Low);

        var (_, node) = Join("a", capacity: 2);

        Assert.That(node.Dispatched, Is.EqualTo(new[] { behind.Id, low.Id }), $"{pinned.Id} waits for node b; the others go");
    }

    /// <summary>
    /// The documented rule, under a flood: a capacity-1 node finishes one job per second while two new high
    /// jobs arrive every second, so high work alone never runs out. The low job, enqueued behind five
    /// high ones, starts no later than PriorityAging plus one job's run after it was enqueued, and not
    /// before PriorityAging (until then the flood's high jobs go first).
    /// </summary>
    [Test]
    public void Under_a_flood_of_high_jobs_a_low_job_starts_within_the_aging_bound()
    {
        var (slot, node) = Join("a", capacity: 1);
        for (var i = 0; i < 6; i++)
        {
            Waiting(JobPriority.High);
        }
        var low = Waiting(JobPriority.Low);
        var enqueuedAt = Time.GetUtcNow();
        DateTimeOffset? startedAt = null;

        for (var second = 0; second < 120 && startedAt is null; second++)
        {
            Time.Advance(TimeSpan.FromSeconds(1));
            Waiting(JobPriority.High);
            Waiting(JobPriority.High);
            FinishOne(slot, node);
            if (node.Dispatched[^1] == low.Id)
            {
                startedAt = Time.GetUtcNow();
            }
        }

        Assert.That(startedAt, Is.Not.Null, "the low job started");
        var waited = startedAt!.Value - enqueuedAt;
        Assert.That(waited, Is.GreaterThanOrEqualTo(Aging), "before the bound, high jobs go first");
        Assert.That(waited, Is.LessThanOrEqualTo(Aging + TimeSpan.FromSeconds(1)), "within PriorityAging plus one job's run");
    }

    [Test]
    public void PriorityAging_must_be_positive()
    {
        var options = new DistributorOptions { PriorityAging = TimeSpan.Zero };
        var e = Assert.Throws<ArgumentException>(options.Validate);
        Assert.That(e!.Message, Does.Contain("PriorityAging must be positive"));
    }
}
