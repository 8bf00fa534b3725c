using System.Collections.Concurrent;
using NUnit.Framework;
using Reactor.Tests.Integration.Support;

namespace Reactor.Tests.Integration.Core;

/// <summary>
/// One outcome per path, seen alike by <c>EnqueueAsync</c> and by the <c>Enqueue</c> lambdas: each test
/// enqueues the same job both ways on a real node process and checks that the awaited
/// <see cref="JobResult"/> and the one lambda that ran agree (outcome, reason, error text), and that no
/// second lambda follows. docs/protocol.md section 7.5 and README "Outcomes" state the rules.
/// </summary>
[TestFixture]
[CancelAfter(240_000)]
[NonParallelizable]
public sealed class OutcomeTests
{
    private Cluster _cluster = null!;
    private NodeProcess _node = null!;
    private CapturedSpans _spans = null!;
    private OutcomeProbe _probe = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _spans = new CapturedSpans();
        _cluster = await Cluster.StartAsync();
        _node = _cluster.StartNode("outcomes", "--retry-multiplier", "0.05");
        await _cluster.WaitForNodesAsync(1);
        _probe = new OutcomeProbe(_cluster.Distributor, _spans);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _node.DisposeAsync();
        await _cluster.DisposeAsync();
        _spans.Dispose();
    }

    private ReactorDistributor Distributor => _cluster.Distributor;

    [Test]
    public async Task Success_runs_the_success_lambda_and_awaits_Succeeded()
    {
        var (awaited, heard) = await BothWaysAsync("add", new { a = 1, b = 2 });

        OutcomeProbe.AssertAgree(awaited, heard, JobOutcome.Succeeded, JobOutcomeReason.Completed, error: null);
        Assert.That(awaited.Args.Get<long>("sum"), Is.EqualTo(3));
        Assert.That(heard.Args.Get<long>("sum"), Is.EqualTo(3));
    }

    [Test]
    public async Task Failure_after_the_last_attempt_runs_the_error_lambda_and_awaits_Failed()
    {
        var (awaited, heard) = await BothWaysAsync("fail", null, new EnqueueOptions { MaxAttempt = 2 });

        OutcomeProbe.AssertAgree(awaited, heard, JobOutcome.Failed, JobOutcomeReason.Threw, "InvalidOperationException: boom");
        Assert.That(heard.Args.Get<bool>("noted"), Is.True, "the errback's mark travels with the failure");
    }

    [Test]
    public async Task CancelJob_from_job_code_is_Cancelled_for_both_and_never_a_success()
    {
        var (awaited, heard) = await BothWaysAsync("cancel_self");
        var withoutCancelledLambda = await LambdasAsync("cancel_self", null, null, withCancelled: false);

        OutcomeProbe.AssertAgree(awaited, heard, JobOutcome.Cancelled, JobOutcomeReason.CancelledByJob, "cancelled by the job: had enough");
        Assert.That(heard.Args.Get<bool>("before_cancel"), Is.True, "the args as the job left them");
        Assert.That(withoutCancelledLambda.Lambda, Is.EqualTo("error"), "without a cancelled lambda a cancellation runs the error lambda");
        Assert.That(withoutCancelledLambda.Args.Get<string>("error"), Is.EqualTo("cancelled by the job: had enough"));
    }

    [Test]
    public async Task CancelJob_from_an_errback_is_Cancelled_for_both_without_a_retry()
    {
        var (awaited, heard) = await BothWaysAsync("fail_cancel_in_errback", null, new EnqueueOptions { MaxAttempt = 5 });

        OutcomeProbe.AssertAgree(awaited, heard, JobOutcome.Cancelled, JobOutcomeReason.CancelledByErrback,
            "cancelled from an errback after InvalidOperationException: scheduled failure");
    }

    [Test]
    public async Task Cancel_before_the_run_on_the_node_is_Cancelled_for_both_and_the_job_never_runs()
    {
        var options = new EnqueueOptions { After = TimeSpan.FromSeconds(30) };
        var (asyncId, awaitedTask) = _probe.EnqueueAwaited("stamp", null, options);
        var (lambdaId, heardTask) = _probe.EnqueueWithLambdas("stamp", null, options);
        // Both are parked on the node's timer: a deferred job goes to the node at once.
        await WaitUntilAsync(() => Distributor.InFlightCount >= 2);

        Assert.That(Distributor.Cancel(asyncId), Is.EqualTo(CancelResult.Requested));
        Assert.That(Distributor.Cancel(lambdaId), Is.EqualTo(CancelResult.Requested));
        var awaited = await awaitedTask.WaitAsync(Cluster.Patience);
        var heard = await heardTask.Heard.WaitAsync(Cluster.Patience);

        await AssertOneLambdaAsync(heardTask.Calls);
        OutcomeProbe.AssertAgree(awaited, heard, JobOutcome.Cancelled, JobOutcomeReason.CancelledByApplication, "cancelled by the application");
        Assert.That(awaited.Args.ContainsKey("ran_at_ms"), Is.False, "it never ran");
        Assert.That(heard.Args.ContainsKey("ran_at_ms"), Is.False, "it never ran");
    }

    [Test]
    public async Task Cancel_before_any_node_took_the_job_is_Cancelled_for_both()
    {
        // No node knows this name, so the jobs wait in the distributor.
        var (asyncId, awaitedTask) = _probe.EnqueueAwaited("no_node_has_this", null, null);
        var (lambdaId, heardTask) = _probe.EnqueueWithLambdas("no_node_has_this", null, null);

        Assert.That(Distributor.Cancel(asyncId), Is.EqualTo(CancelResult.Cancelled));
        Assert.That(Distributor.Cancel(lambdaId), Is.EqualTo(CancelResult.Cancelled));
        var awaited = await awaitedTask.WaitAsync(Cluster.Patience);
        var heard = await heardTask.Heard.WaitAsync(Cluster.Patience);

        await AssertOneLambdaAsync(heardTask.Calls);
        OutcomeProbe.AssertAgree(awaited, heard, JobOutcome.Cancelled, JobOutcomeReason.CancelledByApplication, "cancelled by the application");
    }

    [Test]
    public async Task Cancel_during_the_run_is_Cancelled_for_both_once_the_attempt_ends()
    {
        var asyncTag = Guid.NewGuid().ToString("N");
        var lambdaTag = Guid.NewGuid().ToString("N");
        var (asyncId, awaitedTask) = _probe.EnqueueAwaited("outcome_sleep", new { tag = asyncTag, ms = 1500 }, null);
        var (lambdaId, heardTask) = _probe.EnqueueWithLambdas("outcome_sleep", new { tag = lambdaTag, ms = 1500 }, null);
        await WaitUntilAsync(() => _node.Output.Any(l => l.Contains(asyncTag, StringComparison.Ordinal))
            && _node.Output.Any(l => l.Contains(lambdaTag, StringComparison.Ordinal)));

        Assert.That(Distributor.Cancel(asyncId), Is.EqualTo(CancelResult.Requested));
        Assert.That(Distributor.Cancel(lambdaId), Is.EqualTo(CancelResult.Requested));
        var awaited = await awaitedTask.WaitAsync(Cluster.Patience);
        var heard = await heardTask.Heard.WaitAsync(Cluster.Patience);

        await AssertOneLambdaAsync(heardTask.Calls);
        OutcomeProbe.AssertAgree(awaited, heard, JobOutcome.Cancelled, JobOutcomeReason.CancelledByApplication, "cancelled by the application");
        Assert.That(awaited.Args.Get<bool>("slept"), Is.True, "running code is not interrupted: the attempt finished, then Cancel won");
        Assert.That(heard.Args.Get<bool>("slept"), Is.True);
    }

    [Test]
    public async Task A_timeout_on_the_last_attempt_is_Failed_for_both_with_the_reason_TimedOut()
    {
        var (awaited, heard) = await BothWaysAsync("hang", null, new EnqueueOptions { Timeout = TimeSpan.FromMilliseconds(300), MaxAttempt = 2 });

        OutcomeProbe.AssertAgree(awaited, heard, JobOutcome.Failed, JobOutcomeReason.TimedOut, "TimeoutException: job 'hang' did not finish within");
    }

    /// <summary>Enqueues the job with <c>EnqueueAsync</c> and with lambdas; returns what each side saw, after checking one lambda ran.</summary>
    private async Task<(JobResult Awaited, OutcomeProbe.Heard Heard)> BothWaysAsync(string name, object? args = null, EnqueueOptions? options = null)
    {
        var (_, awaitedTask) = _probe.EnqueueAwaited(name, args, options);
        var (_, lambdas) = _probe.EnqueueWithLambdas(name, args, options);
        var awaited = await awaitedTask.WaitAsync(Cluster.Patience);
        var heard = await lambdas.Heard.WaitAsync(Cluster.Patience);
        await AssertOneLambdaAsync(lambdas.Calls);
        return (awaited, heard);
    }

    private async Task<OutcomeProbe.Heard> LambdasAsync(string name, object? args, EnqueueOptions? options, bool withCancelled)
    {
        var (_, lambdas) = _probe.EnqueueWithLambdas(name, args, options, withCancelled);
        var heard = await lambdas.Heard.WaitAsync(Cluster.Patience);
        await AssertOneLambdaAsync(lambdas.Calls);
        return heard;
    }

    /// <summary>
    /// After a job through the same distributor and node has reported (the positive event after which a
    /// repeated feedback would already have arrived), exactly one lambda has run.
    /// </summary>
    private async Task AssertOneLambdaAsync(ConcurrentQueue<OutcomeProbe.Heard> calls)
    {
        var sentinel = await Distributor.EnqueueAsync("add", new { a = 1, b = 1 }).WaitAsync(Cluster.Patience);
        Assert.That(sentinel.Succeeded, Is.True);
        Assert.That(calls.Select(c => c.Lambda).ToList(), Has.Count.EqualTo(1), "exactly one lambda per job");
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
