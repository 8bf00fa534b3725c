using NUnit.Framework;
using Reactor.Tests.Integration.Support;

namespace Reactor.Tests.Integration.Core;

/// <summary>
/// The outcome paths that end a process: a node stopped while its jobs run or wait, and a distributor
/// stopped while its jobs run. <c>EnqueueAsync</c> and the lambdas must agree here too.
/// </summary>
[TestFixture]
[CancelAfter(240_000)]
[NonParallelizable]
public sealed class OutcomeShutdownTests
{
    private CapturedSpans _spans = null!;

    [OneTimeSetUp]
    public void Listen() => _spans = new CapturedSpans();

    [OneTimeTearDown]
    public void StopListening() => _spans.Dispose();

    [Test]
    public async Task A_node_stopped_mid_run_reports_its_running_jobs_and_the_waiting_ones_succeed_elsewhere_alike()
    {
        await using var cluster = await Cluster.StartAsync();
        var leaving = cluster.StartNode("leaving");
        await cluster.WaitForNodesAsync(1);
        var probe = new OutcomeProbe(cluster.Distributor, _spans);
        var asyncTag = Guid.NewGuid().ToString("N");
        var lambdaTag = Guid.NewGuid().ToString("N");
        var (_, runningAwaited) = probe.EnqueueAwaited("outcome_sleep", new { tag = asyncTag, ms = 1500 }, null);
        var (_, runningLambdas) = probe.EnqueueWithLambdas("outcome_sleep", new { tag = lambdaTag, ms = 1500 }, null);
        var later = new EnqueueOptions { After = TimeSpan.FromSeconds(3) };
        var (_, waitingAwaited) = probe.EnqueueAwaited("add", new { a = 1, b = 2 }, later);
        var (_, waitingLambdas) = probe.EnqueueWithLambdas("add", new { a = 1, b = 2 }, later);
        await WaitUntilAsync(() => leaving.Output.Any(l => l.Contains(asyncTag, StringComparison.Ordinal))
            && leaving.Output.Any(l => l.Contains(lambdaTag, StringComparison.Ordinal)));

        await leaving.StopAsync(TimeSpan.FromSeconds(30));
        var ran = await runningAwaited.WaitAsync(Cluster.Patience);
        var ranHeard = await runningLambdas.Heard.WaitAsync(Cluster.Patience);
        OutcomeProbe.AssertAgree(ran, ranHeard, JobOutcome.Succeeded, JobOutcomeReason.Completed, error: null);
        Assert.That(ranHeard.Args.Get<bool>("slept"), Is.True, "the running job finished before the node exited");
        Assert.That(waitingAwaited.IsCompleted || waitingLambdas.Heard.IsCompleted, Is.False, "the waiting jobs went back, not ended");

        cluster.StartNode("replacement");
        var waited = await waitingAwaited.WaitAsync(Cluster.Patience);
        var waitedHeard = await waitingLambdas.Heard.WaitAsync(Cluster.Patience);
        OutcomeProbe.AssertAgree(waited, waitedHeard, JobOutcome.Succeeded, JobOutcomeReason.Completed, error: null);
        Assert.That(waitedHeard.Args.Get<long>("sum"), Is.EqualTo(3));
        var sentinel = await cluster.Distributor.EnqueueAsync("add", new { a = 0, b = 0 }).WaitAsync(Cluster.Patience);
        Assert.That(sentinel.Succeeded, Is.True);
        Assert.That(runningLambdas.Calls, Has.Count.EqualTo(1));
        Assert.That(waitingLambdas.Calls, Has.Count.EqualTo(1));
        Assert.That(await leaving.WaitForExitAsync(), Is.Zero);
    }

    [Test]
    public async Task A_distributor_stopped_while_its_jobs_run_fails_them_alike_with_the_reason_DistributorStopped()
    {
        await using var cluster = await Cluster.StartAsync();
        var node = cluster.StartNode("staying");
        await cluster.WaitForNodesAsync(1);
        var probe = new OutcomeProbe(cluster.Distributor, _spans);
        var asyncTag = Guid.NewGuid().ToString("N");
        var lambdaTag = Guid.NewGuid().ToString("N");
        var (_, awaitedTask) = probe.EnqueueAwaited("outcome_sleep", new { tag = asyncTag, ms = 30_000 }, null);
        var (_, lambdas) = probe.EnqueueWithLambdas("outcome_sleep", new { tag = lambdaTag, ms = 30_000 }, null);
        await WaitUntilAsync(() => node.Output.Any(l => l.Contains(asyncTag, StringComparison.Ordinal))
            && node.Output.Any(l => l.Contains(lambdaTag, StringComparison.Ordinal)));

        await cluster.Distributor.StopAsync();
        var awaited = await awaitedTask.WaitAsync(Cluster.Patience);
        var heard = await lambdas.Heard.WaitAsync(Cluster.Patience);

        OutcomeProbe.AssertAgree(awaited, heard, JobOutcome.Failed, JobOutcomeReason.DistributorStopped,
            "the distributor stopped before the job finished");
        Assert.That(lambdas.Calls, Has.Count.EqualTo(1));
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
