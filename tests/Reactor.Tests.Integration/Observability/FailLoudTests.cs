using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using Reactor.Tests.Integration.Support;

namespace Reactor.Tests.Integration.Observability;

/// <summary>Mistakes that used to wait silently: a job name no node knows, jobs waiting with no node at all.</summary>
[TestFixture]
[CancelAfter(120_000)]
public sealed class FailLoudTests
{
    [Test]
    public async Task Unknown_job_is_warned_at_once_and_fails_after_UnknownJobTimeout_naming_the_known_jobs()
    {
        await using var cluster = await Cluster.StartAsync(o => o.UnknownJobTimeout = TimeSpan.FromSeconds(1));
        cluster.StartNode("known");
        await cluster.WaitForNodesAsync(1);
        var errored = new TaskCompletionSource<JobArgs>(TaskCreationOptions.RunContinuationsAsynchronously);

        cluster.Distributor.Enqueue("ad", new { a = 1 }, error: errored.SetResult);

        // Logged by Enqueue itself, before it returned.
        var warning = cluster.Logs.Lines.SingleOrDefault(l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("Job ad is not known"));
        Assert.That(warning, Does.Contain("add").And.Contain("async_add").And.Contain("UnknownJobTimeout"));
        var args = await errored.Task.WaitAsync(Cluster.Patience);
        Assert.That(args.Get<string>("error"), Does.Contain("job 'ad' is not known to any connected node").And.Contain("known job names: add, async_add"));
        Assert.That(cluster.Distributor.PendingCount, Is.Zero);
    }

    [Test]
    public async Task Unknown_job_runs_when_a_node_that_announces_it_joins_within_the_timeout()
    {
        await using var cluster = await Cluster.StartAsync(o => o.UnknownJobTimeout = TimeSpan.FromSeconds(90));
        cluster.StartNode("plain");
        await cluster.WaitForNodesAsync(1);

        var result = cluster.Distributor.EnqueueAsync("billing.add", new { a = 2, b = 3 });
        Assert.That(cluster.Logs.Contains("Job billing.add is not known"), Is.True, "warned at once");
        cluster.StartNode("billing", "--service", "billing");

        var done = await result.WaitAsync(Cluster.Patience);
        Assert.That(done.Outcome, Is.EqualTo(JobOutcome.Succeeded), done.Error);
        Assert.That(done.Args.Get<long>("sum"), Is.EqualTo(5));
    }

    [Test]
    public async Task Without_any_node_the_pending_timeout_applies_not_the_unknown_one()
    {
        var time = new FakeTimeProvider();
        await using var cluster = await Cluster.StartAsync(o => o.UnknownJobTimeout = TimeSpan.FromSeconds(1), time);
        var result = cluster.Distributor.EnqueueAsync("whatever");

        time.Advance(TimeSpan.FromSeconds(10));

        Assert.That(result.IsCompleted, Is.False, "no node connected: nothing says the name is wrong");
        Assert.That(cluster.Logs.Contains("is not known"), Is.False);
        time.Advance(TimeSpan.FromMinutes(5));
        var done = await result.WaitAsync(Cluster.Patience);
        Assert.That(done.Error, Does.Contain("waited too long"));
    }

    [Test]
    public async Task Pending_jobs_with_no_node_are_warned_about_every_30_seconds_with_count_and_endpoint()
    {
        var time = new FakeTimeProvider();
        await using var cluster = await Cluster.StartAsync(time: time);
        const string Fragment = "jobs are waiting and no node is connected";
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.That(cluster.Logs.Contains(Fragment), Is.False, "nothing waits: no warning");
        cluster.Distributor.Enqueue("a");
        cluster.Distributor.Enqueue("b");

        time.Advance(TimeSpan.FromSeconds(29));
        Assert.That(cluster.Logs.Contains(Fragment), Is.False, "not before the interval");
        time.Advance(TimeSpan.FromSeconds(1));
        var warnings = cluster.Logs.Lines.Where(l => l.Contains(Fragment)).ToList();
        Assert.That(warnings, Has.Count.EqualTo(1));
        Assert.That(warnings[0], Does.StartWith("Warning").And.Contain("2 jobs").And.Contain(cluster.Address));
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.That(cluster.Logs.Lines.Count(l => l.Contains(Fragment)), Is.EqualTo(2));
    }

    [Test]
    public async Task A_job_queued_before_any_node_is_warned_about_and_timed_when_a_node_that_does_not_know_it_connects()
    {
        await using var cluster = await Cluster.StartAsync(o => o.UnknownJobTimeout = TimeSpan.FromSeconds(1));
        var result = cluster.Distributor.EnqueueAsync("early_typo");
        Assert.That(cluster.Logs.Contains("is not known"), Is.False, "no node yet: nothing to compare with");

        cluster.StartNode("late");
        await cluster.WaitForNodesAsync(1);

        var done = await result.WaitAsync(Cluster.Patience);
        Assert.That(done.Error, Does.Contain("job 'early_typo' is not known to any connected node"));
        Assert.That(cluster.Logs.Lines.Any(l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("Job early_typo is not known")), Is.True);
    }
}
