using System.Collections.Concurrent;
using NUnit.Framework;
using Reactor.Storage;
using Reactor.Storage.Redis;
using Reactor.Tests.Integration.Services;
using Reactor.Tests.Integration.Support;

namespace Reactor.Tests.Integration.Reliability;

/// <summary>RetryJobsAtStart and the Remove* options with an in-process node on the shared real Redis.</summary>
[TestFixture]
[CancelAfter(120_000)]
public sealed class ResumeTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static JobRecord Record(string node, string id, JobStatus status) => new()
    {
        Id = id,
        Name = "mark",
        Args = new JobArgs { ["id"] = id },
        Node = node,
        Status = status,
        Attempt = status == JobStatus.Queued ? 0 : 1,
    };

    [Test]
    public async Task Unfinished_jobs_resume_at_start_and_finished_ones_never_run_again()
    {
        var redis = await TestServices.RedisAsync();
        var node = $"resume_{Guid.NewGuid():N}";
        await using (var store = await RedisJobStore.ConnectAsync(redis))
        {
            await store.SaveAsync(Record(node, $"{node}-queued", JobStatus.Queued));
            await store.SaveAsync(Record(node, $"{node}-interrupted", JobStatus.InProgress));
            await store.SaveAsync(Record(node, $"{node}-complete", JobStatus.Complete));
            await store.SaveAsync(Record(node, $"{node}-failed", JobStatus.Failed));
        }
        var ran = new ConcurrentBag<string>();
        await using var cluster = await Cluster.StartAsync();

        await cluster.Host.StartNodeAsync(new NodeOptions
        {
            Name = node,
            Storage = "redis",
            Redis = redis,
            LogJobProcessing = false,
            Jobs = j => j.Job("mark", a => ran.Add(a.Get<string>("id"))),
        });
        // Resumed jobs start before the node dials; a job sent after it connected runs after them,
        // so once it ran, any record resumed by mistake has run too.
        await cluster.WaitForNodesAsync(1);
        await cluster.Distributor.EnqueueAsync("mark", new { id = "sentinel" }).WaitAsync(Patience);

        Assert.That(ran.Where(id => id != "sentinel"), Is.EquivalentTo(new[] { $"{node}-queued", $"{node}-interrupted" }));
        await using var monitor = await RedisMonitor.ConnectAsync(redis);
        monitor.DestroyAllJobsFor(node);
    }

    [Test]
    public async Task Failed_records_are_kept_with_their_error_and_done_ones_removed_by_default()
    {
        var redis = await TestServices.RedisAsync();
        var node = $"keep_{Guid.NewGuid():N}";
        await using var cluster = await Cluster.StartAsync();
        await cluster.Host.StartNodeAsync(new NodeOptions
        {
            Name = node,
            Storage = "redis",
            Redis = redis,
            LogJobProcessing = false,
            Jobs = j =>
            {
                j.Job("ok", _ => { });
                j.Job("bad", _ => throw new InvalidOperationException("kept for inspection"));
            },
        });
        await cluster.WaitForNodesAsync(1);

        var ok = await cluster.Distributor.EnqueueAsync("ok").WaitAsync(Patience);
        var bad = await cluster.Distributor.EnqueueAsync("bad", null, new EnqueueOptions { MaxAttempt = 1 }).WaitAsync(Patience);
        await using var monitor = await RedisMonitor.ConnectAsync(redis);
        JobRecord? failed = null;
        for (var i = 0; i < 100 && failed?.Status != JobStatus.Failed; i++)
        {
            failed = await monitor.LoadAsync(bad.JobId);
            await Task.Delay(50);
        }

        Assert.That(failed?.Status, Is.EqualTo(JobStatus.Failed));
        Assert.That(failed!.LastError, Does.Contain("kept for inspection"));
        Assert.That(await monitor.LoadAsync(ok.JobId), Is.Null, "RemoveDoneJobs removes completed records");
        Assert.That(monitor.Failed(node).Select(r => r.Id), Is.EqualTo(new[] { bad.JobId }));
        monitor.DestroyAllJobsFor(node);
    }
}
