using System.Collections.Concurrent;
using NUnit.Framework;
using Reactor.Tests.Integration.Services;
using Reactor.Tests.Integration.Support;

namespace Reactor.Tests.Integration.Jobs;

/// <summary>Progress reports from job code on real <c>reactor node</c> processes to the app and the Redis record (issue 15).</summary>
[TestFixture]
[CancelAfter(300_000)]
public sealed class ProgressTests
{
    private static readonly TimeSpan Patience = Cluster.Patience;

    [Test]
    public async Task Progress_reaches_the_enqueue_lambda_in_order_before_the_success_and_the_redis_record_keeps_the_last()
    {
        var redis = await TestServices.RedisAsync();
        var nodeName = "progress_" + Guid.NewGuid().ToString("N")[..8];
        await using var cluster = await Cluster.StartAsync();
        cluster.StartNode(nodeName, "--storage", "redis", "--redis", redis, "--remove-done-jobs", "false");
        await cluster.WaitForNodesAsync(1);
        var seen = new ConcurrentQueue<string>();
        var done = new TaskCompletionSource<JobArgs>(TaskCreationOptions.RunContinuationsAsynchronously);

        // 150 ms apart, over the node's 100 ms interval: every report goes out.
        var id = cluster.Distributor.Enqueue("progress_steps", new { steps = 5, ms = 150 }, null,
            success: a =>
            {
                seen.Enqueue("success");
                done.TrySetResult(a);
            },
            error: a => done.TrySetException(new AssertionException($"failed: {a["error"]}")),
            progress: p => seen.Enqueue($"{p.Fraction:0.0} {p.Message} (attempt {p.Attempt}, {(p.JobId.Length > 0 ? "id" : "no id")})"));
        await done.Task.WaitAsync(Patience);

        Assert.That(seen, Is.EqualTo(new[]
        {
            "0.2 step 1/5 (attempt 1, id)", "0.4 step 2/5 (attempt 1, id)", "0.6 step 3/5 (attempt 1, id)",
            "0.8 step 4/5 (attempt 1, id)", "1.0 step 5/5 (attempt 1, id)", "success",
        }));
        await using var monitor = await RedisMonitor.ConnectAsync(redis);
        var record = await monitor.LoadAsync(id);
        Assert.That(record, Is.Not.Null);
        Assert.That(record!.Progress, Is.EqualTo(1.0));
        Assert.That(record.ProgressMessage, Is.EqualTo("step 5/5"));
        var table = RedisMonitor.FormatTable(await monitor.JobsForAsync(nodeName));
        Assert.That(table, Does.Contain("PROGRESS").And.Contain("100% step 5/5"), "reactor monitor shows the last progress");
    }

    [Test]
    public async Task A_job_reporting_in_a_tight_loop_is_rate_limited_and_its_last_report_still_arrives()
    {
        await using var cluster = await Cluster.StartAsync();
        cluster.StartNode("flooder");
        await cluster.WaitForNodesAsync(1);
        var reports = new ConcurrentQueue<JobProgress>();

        var result = await cluster.Distributor.EnqueueAsync("progress_flood", new { ms = 1500 }, null,
            new SynchronousProgress(reports.Enqueue)).WaitAsync(Patience);
        var after = await cluster.Distributor.EnqueueAsync("add", new { a = 1, b = 2 }).WaitAsync(Patience);

        Assert.That(result.Outcome, Is.EqualTo(JobOutcome.Succeeded), result.Error);
        var made = result.Args.Get<long>("reports");
        var elapsedMs = result.Args.Get<long>("elapsed_ms");
        TestContext.Out.WriteLine($"job made {made} reports in {elapsedMs} ms; the app got {reports.Count}");
        Assert.That(made, Is.GreaterThan(10_000), "the job really flooded");
        // 100 ms interval: one at once, then at most one per interval, plus the final one flushed at the end.
        Assert.That(reports, Has.Count.LessThanOrEqualTo((elapsedMs / 100) + 3));
        Assert.That(reports, Has.Count.GreaterThanOrEqualTo(2));
        Assert.That(reports.Last(), Is.EqualTo(new JobProgress(result.JobId, 1, 1.0, "done")), "the last report is never lost");
        Assert.That(after.Args.Get<long>("sum"), Is.EqualTo(3), "the node keeps serving");
    }

    /// <summary>Reports on the delivery thread itself (<see cref="Progress{T}"/> would post to the thread pool and reorder).</summary>
    private sealed class SynchronousProgress(Action<JobProgress> report) : IProgress<JobProgress>
    {
        public void Report(JobProgress value) => report(value);
    }
}
