using System.Collections.Concurrent;
using NUnit.Framework;
using Reactor.Tests.Integration.Support;

namespace Reactor.Tests.Integration.Core;

/// <summary>
/// Deferred, run-at, periodic, retried and cancelled jobs, once on a real node process and once on
/// an in-process node loading the same jobs directory.
/// </summary>
[TestFixture(true)]
[TestFixture(false)]
[CancelAfter(180_000)]
[NonParallelizable]
public sealed class SchedulingTests(bool nodeProcess)
{
    private Cluster _cluster = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _cluster = await Cluster.StartAsync();
        if (nodeProcess)
        {
            _cluster.StartNode("scheduler", "--merge-job-itself", "--retry-multiplier", "0.05");
        }
        else
        {
            await _cluster.Host.StartNodeAsync(new NodeOptions
            {
                Name = "scheduler",
                JobsDirectory = Cluster.JobsDirectory,
                MergeJobItselfToArgs = true,
                RetryMultiplier = TimeSpan.FromMilliseconds(50),
                LogJobProcessing = false,
            });
        }
        await _cluster.WaitForNodesAsync(1);
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _cluster.DisposeAsync();

    private ReactorDistributor Distributor => _cluster.Distributor;

    [TestCase(1, false)]
    [TestCase(10, false)]
    [TestCase(1, true)]
    [TestCase(10, true)]
    public async Task Jobs_run_deferred_or_not(int count, bool deferred)
    {
        var options = deferred ? new EnqueueOptions { After = TimeSpan.FromMilliseconds(300) } : null;
        var results = await Task.WhenAll(Enumerable.Range(0, count).Select(i => Distributor.EnqueueAsync("add", new { a = i, b = 1 }, options)))
            .WaitAsync(Cluster.Patience);

        Assert.That(results.Select(r => r.Args.Get<long>("sum")), Is.EqualTo(Enumerable.Range(1, count).Select(i => (long)i)));
    }

    // Lateness bound for a job that became due: generous, so it holds on a loaded 2-core machine; the
    // claim it defends is "runs when due, not on some later poll or only after another event".
    private static readonly TimeSpan Lateness = TimeSpan.FromSeconds(10);

    [Test]
    public async Task After_two_seconds_never_runs_before_two_seconds_and_runs_soon_after()
    {
        var enqueuedAt = DateTimeOffset.UtcNow;
        var done = await Distributor.EnqueueAsync("stamp", null, new EnqueueOptions { After = TimeSpan.FromSeconds(2) }).WaitAsync(Cluster.Patience);

        // The job stamps its own start: "not before 2 s" is read from the run itself, not from a sleep.
        var ranAt = DateTimeOffset.FromUnixTimeMilliseconds(done.Args.Get<long>("ran_at_ms"));
        Assert.That(ranAt - enqueuedAt, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(1990)), "not run before After");
        Assert.That(ranAt - enqueuedAt, Is.LessThan(TimeSpan.FromSeconds(2) + Lateness), "run once due");
    }

    [Test]
    public async Task RunAt_two_seconds_ahead_never_runs_before_it_and_runs_soon_after()
    {
        var runAt = DateTimeOffset.UtcNow.AddSeconds(2);
        var done = await Distributor.EnqueueAsync("stamp", null, new EnqueueOptions { RunAt = runAt }).WaitAsync(Cluster.Patience);

        var ranAt = DateTimeOffset.FromUnixTimeMilliseconds(done.Args.Get<long>("ran_at_ms"));
        Assert.That(ranAt, Is.GreaterThanOrEqualTo(runAt.AddMilliseconds(-10)), "not run before RunAt");
        Assert.That(ranAt, Is.LessThan(runAt + Lateness), "run once due");
    }

    [Test]
    public async Task RunAt_in_the_past_runs_now()
    {
        var result = await Distributor.EnqueueAsync("add", new { a = 1, b = 1 }, new EnqueueOptions { RunAt = DateTimeOffset.UtcNow.AddHours(-1) })
            .WaitAsync(Cluster.Patience);

        Assert.That(result.Args.Get<long>("sum"), Is.EqualTo(2));
    }

    [TestCase(false, false)]
    [TestCase(true, false)]
    [TestCase(false, true)]
    [TestCase(true, true)]
    public async Task Periodic_jobs_start_late_then_repeat_with_a_feedback_per_run(bool runAt, bool defer)
    {
        var start = DateTimeOffset.UtcNow;
        var runs = new ConcurrentQueue<DateTimeOffset>();
        var four = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = new EnqueueOptions
        {
            Period = TimeSpan.FromMilliseconds(300),
            Defer = defer,
            After = runAt ? null : TimeSpan.FromSeconds(1),
            RunAt = runAt ? start.AddSeconds(1) : null,
        };

        var id = Distributor.Enqueue("stamp", null, options, success: a =>
        {
            runs.Enqueue(DateTimeOffset.FromUnixTimeMilliseconds(a.Get<long>("ran_at_ms")));
            if (runs.Count >= 4)
            {
                four.TrySetResult();
            }
        });
        await four.Task.WaitAsync(Cluster.Patience);
        Assert.That(Distributor.Cancel(id), Is.EqualTo(CancelResult.Requested));

        var times = runs.ToArray();
        Assert.That(times[0] - start, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(990)), "the first run waits for After/RunAt");
        // Runs keep to a 300 ms grid anchored at the first due time and never run early (a late run skips
        // the slots it missed), so run k starts no earlier than due + k periods. Only lower bounds: a
        // loaded machine may make any run late, and the gap after a late run may be short.
        Assert.That(times, Is.Ordered);
        for (var k = 1; k < times.Length; k++)
        {
            Assert.That(times[k] - start, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(1) + k * options.Period.Value - TimeSpan.FromMilliseconds(10)),
                $"run {k} is not before its slot on the grid");
        }
    }

    [Test]
    public async Task A_failing_job_runs_exactly_max_attempt_times_and_gives_one_error_feedback()
    {
        var errors = new ConcurrentQueue<JobArgs>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var key = Guid.NewGuid().ToString();

        Distributor.Enqueue("flaky", new { key, succeed_on = 100 }, new EnqueueOptions { MaxAttempt = 4 },
            success: _ => done.TrySetException(new AssertionException("it must not succeed")),
            error: a =>
            {
                errors.Enqueue(a);
                done.TrySetResult();
            });
        await done.Task.WaitAsync(Cluster.Patience);
        await SentinelAsync(TimeSpan.Zero);

        Assert.That(errors, Has.Count.EqualTo(1));
        var last = errors.Single();
        Assert.That(last.Get<long>("attempts_seen"), Is.EqualTo(4), "four attempts ran");
        Assert.That(last.Get<string>("error"), Does.Contain("flaky attempt 4"));
        Assert.That(last.Get<bool>("saw_old_error"), Is.False, "an earlier attempt's error is not in the next attempt's args");
    }

    [Test]
    public async Task A_retried_job_that_then_succeeds_gives_one_success_without_a_stale_error()
    {
        var result = await Distributor.EnqueueAsync("flaky", new { key = Guid.NewGuid().ToString(), succeed_on = 3 }).WaitAsync(Cluster.Patience);

        Assert.That(result.Outcome, Is.EqualTo(JobOutcome.Succeeded));
        Assert.That(result.Args.Get<long>("attempts_seen"), Is.EqualTo(3));
        Assert.That(result.Args.ContainsKey("error"), Is.False);
    }

    [Test]
    public async Task A_periodic_job_cancelled_from_its_code_reports_each_run_then_ends_cancelled()
    {
        var runs = new ConcurrentQueue<long>();
        var ended = new TaskCompletionSource<JobArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = 0;
        var id = Distributor.Enqueue("count_runs", new { key = Guid.NewGuid().ToString(), cancel_on = 3 },
            new EnqueueOptions { Period = TimeSpan.FromMilliseconds(100) },
            success: a => runs.Enqueue(a.Get<long>("run")),
            error: _ => Interlocked.Increment(ref errors),
            cancelled: a => ended.TrySetResult(a));

        var final = await ended.Task.WaitAsync(Cluster.Patience);
        // A job due three periods later on the same node's timer queue: its feedback comes after that of
        // any run the cancel failed to stop.
        await SentinelAsync(TimeSpan.FromMilliseconds(300));

        Assert.That(runs, Is.EqualTo(new long[] { 1, 2 }), "runs 1 and 2 report; run 3 cancels, which is not a success");
        Assert.That(final.Get<long>("run"), Is.EqualTo(3));
        Assert.That(final.Get<string>("error"), Is.EqualTo("cancelled by the job: enough runs"));
        Assert.That(Volatile.Read(ref errors), Is.Zero);
        Assert.That(Distributor.Cancel(id), Is.EqualTo(CancelResult.NotFound), "the job is over");
    }

    [Test]
    public async Task Cancelling_from_an_errback_ends_the_job_with_an_error_feedback_and_no_retry()
    {
        var result = await Distributor.EnqueueAsync("fail_cancel_in_errback", null, new EnqueueOptions { MaxAttempt = 5 })
            .WaitAsync(Cluster.Patience);

        Assert.That(result.Outcome, Is.EqualTo(JobOutcome.Cancelled));
        Assert.That(result.Error, Does.Contain("errback"));
        Assert.That(((Dictionary<string, object?>)result.Args["job_itself"]!)["attempt"], Is.EqualTo(1), "no retry after the errback cancelled");
    }

    [Test]
    public async Task Cancel_from_the_app_stops_a_periodic_job_and_an_unknown_id_is_not_found()
    {
        var runs = 0;
        var cancelled = new TaskCompletionSource<JobArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        var id = Distributor.Enqueue("stamp", null, new EnqueueOptions { Period = TimeSpan.FromMilliseconds(100) },
            success: _ => Interlocked.Increment(ref runs),
            error: a => cancelled.TrySetResult(a));
        await WaitUntilAsync(() => Volatile.Read(ref runs) >= 2);

        Assert.That(Distributor.Cancel(id), Is.EqualTo(CancelResult.Requested));
        var final = await cancelled.Task.WaitAsync(Cluster.Patience);
        var settled = Volatile.Read(ref runs);
        await SentinelAsync(TimeSpan.FromMilliseconds(300)); // three periods later, through the same node

        Assert.That(final.Get<string>("error"), Does.Contain("cancelled by the application"));
        Assert.That(Volatile.Read(ref runs), Is.EqualTo(settled), "no run after the cancel");
        Assert.That(Distributor.Cancel("no-such-job"), Is.EqualTo(CancelResult.NotFound));
        Assert.That(Distributor.Cancel(id), Is.EqualTo(CancelResult.NotFound), "cancelling a finished job is a clear no-op");
    }

    [Test]
    public async Task Cancel_of_a_deferred_job_gives_a_cancelled_result_and_it_never_runs()
    {
        string? id = null;
        var result = new TaskCompletionSource<JobArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        id = Distributor.Enqueue("stamp", null, new EnqueueOptions { After = TimeSpan.FromSeconds(20) },
            success: a => result.TrySetException(new AssertionException("it ran")),
            error: a => result.TrySetResult(a));
        // Parked on the node's timer (a deferred job goes to the node at once), not still in the distributor.
        await WaitUntilAsync(() => Distributor.InFlightCount > 0);

        Assert.That(Distributor.Cancel(id), Is.EqualTo(CancelResult.Requested));
        var args = await result.Task.WaitAsync(Cluster.Patience);
        Assert.That(args.Get<string>("error"), Does.Contain("cancelled by the application"));
        Assert.That(Distributor.Cancel(id), Is.EqualTo(CancelResult.NotFound), "a finished job cannot be cancelled again");
    }

    [Test]
    public async Task Job_itself_carries_the_documented_keys()
    {
        var result = await Distributor.EnqueueAsync("add", new { a = 1, b = 2 }).WaitAsync(Cluster.Patience);

        var itself = (Dictionary<string, object?>)result.Args["job_itself"]!;
        Assert.That(itself.Keys, Is.SupersetOf(new[]
        {
            "id", "name", "args", "attempt", "status", "make_after", "run_at", "period", "node", "distributor", "on_success", "on_error",
        }));
        Assert.That(itself["id"], Is.EqualTo(result.JobId));
        Assert.That(itself["name"], Is.EqualTo("add"));
        Assert.That(itself["node"], Is.EqualTo("scheduler"));
        Assert.That(itself["distributor"], Is.EqualTo(Distributor.Id));
        Assert.That(itself["status"], Is.EqualTo("in progress"));
    }

    [Test]
    public async Task Defer_runs_the_job_off_the_reactor_thread()
    {
        var onLoop = await Distributor.EnqueueAsync("blocking", new { ms = 10 }).WaitAsync(Cluster.Patience);
        var deferred = await Distributor.EnqueueAsync("blocking", new { ms = 10 }, new EnqueueOptions { Defer = true }).WaitAsync(Cluster.Patience);

        Assert.That(onLoop.Args.Get<string>("thread_name"), Is.EqualTo("reactor:scheduler"));
        Assert.That(deferred.Args.Get<string>("thread_name"), Is.Not.EqualTo("reactor:scheduler"));
        Assert.That(deferred.Args.Get<bool>("pool_thread"), Is.True);
    }

    [Test]
    public async Task A_job_that_never_completes_fails_after_its_timeout()
    {
        var result = await Distributor.EnqueueAsync("hang", null, new EnqueueOptions { Timeout = TimeSpan.FromMilliseconds(300), MaxAttempt = 2 })
            .WaitAsync(Cluster.Patience);

        Assert.That(result.Outcome, Is.EqualTo(JobOutcome.Failed));
        Assert.That(result.Error, Does.Contain("did not finish within"));
    }

    [Test]
    public async Task A_throwing_callback_runs_the_errbacks_and_a_throwing_errback_does_not_stop_the_next()
    {
        var callback = await Distributor.EnqueueAsync("callback_throws", null, new EnqueueOptions { MaxAttempt = 1 }).WaitAsync(Cluster.Patience);
        var errback = await Distributor.EnqueueAsync("errback_throws", null, new EnqueueOptions { MaxAttempt = 1 }).WaitAsync(Cluster.Patience);

        Assert.That(callback.Outcome, Is.EqualTo(JobOutcome.Failed));
        Assert.That(callback.Error, Does.Contain("callback broke"));
        Assert.That(callback.Args.Get<bool>("job_ran"), Is.True);
        Assert.That(errback.Outcome, Is.EqualTo(JobOutcome.Failed));
        Assert.That(errback.Args.Get<bool>("second_errback"), Is.True);
    }

    /// <summary>
    /// Runs a job due <paramref name="after"/> from now through the same distributor, link and node, and
    /// waits for its feedback: the positive event after which a repeated feedback, or a periodic run due
    /// earlier, would already have arrived (the node fires timers in due order and sends results in order).
    /// </summary>
    private async Task SentinelAsync(TimeSpan after)
    {
        var sentinel = await Distributor.EnqueueAsync("add", new { a = 1, b = 1 }, after > TimeSpan.Zero ? new EnqueueOptions { After = after } : null)
            .WaitAsync(Cluster.Patience);
        Assert.That(sentinel.Args.Get<long>("sum"), Is.EqualTo(2));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Cluster.Patience;
        while (!condition())
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "condition not met in time");
            await Task.Delay(20);
        }
    }
}
