using NUnit.Framework;

namespace Reactor.Tests.Integration.Metrics;

/// <summary>
/// The distributor's and the node's instruments, read with a <see cref="System.Diagnostics.Metrics.MeterListener"/>
/// in this process (distributor and node in-process over loopback TCP).
/// </summary>
[TestFixture]
[CancelAfter(120_000)]
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)] // each test has its own gate for held jobs
public sealed class JobMetricsTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private const string Job = "reactor.job.name";
    private const string Outcome = "reactor.job.outcome";

    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _bothHeld = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _held;

    [TearDown]
    public void ReleaseHeldJobs() => _gate.TrySetResult();

    private void DefineJobs(IJobRegistry jobs)
    {
        jobs.Job("ok", _ => { });
        jobs.Job("boom", _ => throw new InvalidOperationException("boom"));
        jobs.Job("stop", _ => throw new CancelJob("enough"));
        jobs.Job("held", async _ =>
        {
            if (Interlocked.Increment(ref _held) == 2)
            {
                _bothHeld.TrySetResult();
            }
            await _gate.Task;
        });
    }

    [Test]
    public async Task Counters_and_histograms_match_a_known_mix_of_succeeded_failed_retried_and_cancelled_jobs()
    {
        await using var host = new ReactorHost(TestLogging.Factory);
        await host.StartDistributorAsync("127.0.0.1", 0);
        var node = await host.StartNodeAsync(new NodeOptions
        {
            Name = "metered", Jobs = DefineJobs, LogJobProcessing = false, RetryMultiplier = TimeSpan.FromMilliseconds(5),
        });
        await host.Distributor.WaitForNodesAsync(1).WaitAsync(Patience);
        using var reader = new MeterReader(host.Distributor.Metrics.Meter, node.Metrics.Meter);

        var runs = new List<Task<JobResult>>();
        for (var i = 0; i < 5; i++)
        {
            runs.Add(host.Distributor.EnqueueAsync("ok"));
        }
        for (var i = 0; i < 2; i++)
        {
            // Three attempts each: two retries, then a final failure.
            runs.Add(host.Distributor.EnqueueAsync("boom", null, new EnqueueOptions { MaxAttempt = 3 }));
        }
        runs.Add(host.Distributor.EnqueueAsync("stop"));
        var results = await Task.WhenAll(runs).WaitAsync(Patience);
        Assert.That(results.Count(r => r.Outcome == JobOutcome.Failed), Is.EqualTo(2), "the mix ran as intended");
        // A job parked on the node's timer, cancelled by the app: it ends without an attempt.
        var cancelled = new TaskCompletionSource<JobArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        var later = host.Distributor.Enqueue("ok", null, new EnqueueOptions { After = TimeSpan.FromHours(1) }, error: cancelled.SetResult);
        Assert.That(host.Distributor.Cancel(later), Is.Not.EqualTo(CancelResult.NotFound));
        Assert.That((await cancelled.Task.WaitAsync(Patience))["error"], Is.EqualTo("cancelled by the application"));

        Assert.Multiple(() =>
        {
            Assert.That(reader.Sum("reactor.jobs.enqueued"), Is.EqualTo(9));
            Assert.That(reader.Sum("reactor.jobs.enqueued", (Job, "ok")), Is.EqualTo(6), "five run now, one due later");
            Assert.That(reader.Sum("reactor.jobs.completed", (Outcome, "succeeded")), Is.EqualTo(5));
            Assert.That(reader.Sum("reactor.jobs.completed", (Outcome, "failed"), (Job, "boom")), Is.EqualTo(2));
            Assert.That(reader.Sum("reactor.jobs.completed", (Outcome, "cancelled")), Is.EqualTo(2), "cancelled from job code and by the app");
            Assert.That(reader.Sum("reactor.jobs.completed", ("reactor.node.name", "metered"), ("reactor.storage", "memory")), Is.EqualTo(9));
            Assert.That(reader.Sum("reactor.jobs.retried", (Job, "boom")), Is.EqualTo(4));
            Assert.That(reader.Sum("reactor.jobs.retried"), Is.EqualTo(4));
            // One sample per attempt: 5 ok, 6 boom, 1 stop; the cancelled deferred job never ran.
            Assert.That(reader.Count("reactor.job.duration"), Is.EqualTo(12));
            Assert.That(reader.Count("reactor.job.duration", (Job, "boom"), (Outcome, "failed")), Is.EqualTo(6));
            Assert.That(reader.Count("reactor.job.queue_wait"), Is.EqualTo(9), "one sample per first dispatch");
            Assert.That(reader.Count("reactor.node.loop_lag"), Is.EqualTo(4), "one sample per retry started from the timer");
            Assert.That(reader.Readings.Where(r => r.Instrument is "reactor.job.duration" or "reactor.job.queue_wait" or "reactor.node.loop_lag")
                .All(r => r.Value >= 0), Is.True);
        });
    }

    [Test]
    public async Task Gauges_report_pending_jobs_by_name_in_flight_jobs_connected_nodes_and_held_feedbacks()
    {
        await using var host = new ReactorHost(TestLogging.Factory);
        await host.StartDistributorAsync("127.0.0.1", 0);
        var node = await host.StartNodeAsync(new NodeOptions { Name = "gauged", Jobs = DefineJobs, LogJobProcessing = false });
        await host.Distributor.WaitForNodesAsync(1).WaitAsync(Patience);
        using var reader = new MeterReader(host.Distributor.Metrics.Meter, node.Metrics.Meter);

        // No node runs "unknown": those wait in the distributor. On the node one job is due later and two
        // are held running; the node takes them in order, so once both run the parked one is there too.
        for (var i = 0; i < 3; i++)
        {
            host.Distributor.Enqueue("unknown");
        }
        host.Distributor.Enqueue("ok", null, new EnqueueOptions { After = TimeSpan.FromHours(1) });
        host.Distributor.Enqueue("held");
        host.Distributor.Enqueue("held");
        await _bothHeld.Task.WaitAsync(Patience);

        var gauges = reader.Observe();
        double Gauge(string name, string? job = null) => gauges
            .Where(r => r.Instrument == name && (job is null || r.Tags.GetValueOrDefault(Job) == job)).Sum(r => r.Value);
        Assert.Multiple(() =>
        {
            Assert.That(Gauge("reactor.jobs.pending", "unknown"), Is.EqualTo(3));
            Assert.That(Gauge("reactor.jobs.pending"), Is.EqualTo(3));
            Assert.That(Gauge("reactor.jobs.in_flight"), Is.EqualTo(3));
            Assert.That(Gauge("reactor.nodes.connected"), Is.EqualTo(1));
            Assert.That(Gauge("reactor.feedbacks.held"), Is.EqualTo(6));
            Assert.That(Gauge("reactor.node.jobs.running"), Is.EqualTo(2));
            Assert.That(Gauge("reactor.node.jobs.held"), Is.EqualTo(3));
            Assert.That(Gauge("reactor.node.timers"), Is.EqualTo(1));
        });
    }
}
