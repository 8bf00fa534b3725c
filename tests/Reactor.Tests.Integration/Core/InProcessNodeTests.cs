using NUnit.Framework;

namespace Reactor.Tests.Integration.Core;

/// <summary>Distributor and node in one process, over real loopback TCP.</summary>
[TestFixture]
[CancelAfter(120_000)]
public sealed class InProcessNodeTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static void DefineJobs(IJobRegistry jobs)
    {
        jobs.Job("add", a => a["sum"] = a.Get<long>("a") + a.Get<long>("b"));
        jobs.JobCallback("add", "double", a => a["doubled"] = a.Get<long>("sum") * 2);
        jobs.JobCallback("add", "mark", a => a["marked"] = a.ContainsKey("doubled"));
        jobs.Job("fail", _ => throw new InvalidOperationException("boom"));
        jobs.JobErrback("fail", "note", a => a["noted"] = true);
        jobs.Job("thread", a => a["thread"] = Environment.CurrentManagedThreadId);
        jobs.Job("async", async a =>
        {
            await Task.Yield();
            a["thread_after_await"] = Environment.CurrentManagedThreadId;
        });
    }

    private static async Task<(ReactorHost Host, ReactorNode Node)> StartAsync(Action<NodeOptions>? configure = null)
    {
        var host = new ReactorHost(TestLogging.Factory);
        await host.StartDistributorAsync("127.0.0.1", 0);
        var options = new NodeOptions { Name = "inproc", Jobs = DefineJobs, LogJobProcessing = false, RetryMultiplier = TimeSpan.FromMilliseconds(10) };
        configure?.Invoke(options);
        var node = await host.StartNodeAsync(options);
        await host.Distributor.WaitForNodesAsync(1).WaitAsync(Patience);
        return (host, node);
    }

    [Test]
    public async Task Callbacks_see_what_the_job_added_and_the_feedback_sees_all_of_it()
    {
        var (host, _) = await StartAsync();
        await using var _host = host;

        var result = await host.Distributor.EnqueueAsync("add", new { a = 2, b = 3 }).WaitAsync(Patience);

        Assert.That(result.Outcome, Is.EqualTo(JobOutcome.Succeeded));
        Assert.That(result.Args.Get<long>("sum"), Is.EqualTo(5));
        Assert.That(result.Args.Get<long>("doubled"), Is.EqualTo(10));
        Assert.That(result.Args.Get<bool>("marked"), Is.True);
    }

    [Test]
    public async Task Errbacks_get_the_error_and_the_error_feedback_runs_once_after_the_last_attempt()
    {
        var (host, _) = await StartAsync();
        await using var _host = host;
        var errors = new List<JobArgs>();
        var successes = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Feedbacks run on the distributor's threads, where an assertion would be swallowed: count instead.
        host.Distributor.Enqueue("fail", new { x = 1 }, new EnqueueOptions { MaxAttempt = 3 },
            success: _ => Interlocked.Increment(ref successes),
            error: a =>
            {
                lock (errors)
                {
                    errors.Add(a);
                }
                done.TrySetResult();
            });
        await done.Task.WaitAsync(Patience);
        // A later job through the same distributor, node and link: its feedback comes after any repeat
        // of the failed job's final result would have.
        var sentinel = await host.Distributor.EnqueueAsync("add", new { a = 1, b = 1 }).WaitAsync(Patience);
        Assert.That(sentinel.Outcome, Is.EqualTo(JobOutcome.Succeeded));

        Assert.That(successes, Is.Zero, "a failing job must not succeed");
        Assert.That(errors, Has.Count.EqualTo(1));
        Assert.That(errors[0].Get<string>("error"), Does.Contain("boom"));
        Assert.That(errors[0].Get<bool>("noted"), Is.True);
    }

    [Test]
    public async Task Job_code_runs_on_the_node_reactor_thread_even_after_an_await()
    {
        var (host, node) = await StartAsync();
        await using var _host = host;

        var sync = await host.Distributor.EnqueueAsync("thread").WaitAsync(Patience);
        var async = await host.Distributor.EnqueueAsync("async").WaitAsync(Patience);

        Assert.That(sync.Args.Get<int>("thread"), Is.EqualTo(node.ReactorThreadId));
        Assert.That(async.Args.Get<int>("thread_after_await"), Is.EqualTo(node.ReactorThreadId));
    }

    [Test]
    public async Task Jobs_enqueued_before_any_node_connects_run_once_one_does()
    {
        await using var host = new ReactorHost(TestLogging.Factory);
        var distributor = await host.StartDistributorAsync("127.0.0.1", 0);
        var results = Enumerable.Range(0, 20).Select(i => distributor.EnqueueAsync("add", new { a = i, b = 1 })).ToList();
        Assert.That(distributor.PendingCount, Is.EqualTo(20));

        await host.StartNodeAsync(new NodeOptions { Name = "late", Jobs = DefineJobs, LogJobProcessing = false });
        var all = await Task.WhenAll(results).WaitAsync(Patience);

        Assert.That(all.Select(r => r.Args.Get<long>("sum")), Is.EqualTo(Enumerable.Range(1, 20).Select(i => (long)i)));
        Assert.That(distributor.PendingCount, Is.Zero);
        Assert.That(distributor.FeedbackCount, Is.Zero);
    }
}
