using NUnit.Framework;
using Reactor.Tests.Integration.Support;

namespace Reactor.Tests.Integration.Reliability;

/// <summary>
/// "First final result wins" must not let a stale attempt win: an attempt whose connection dropped
/// (so the distributor dispatched the job again) does not report its failure. Real TCP through a
/// proxy the test cuts; the node runs in-process so the test can hold its job code.
/// </summary>
[TestFixture]
[CancelAfter(120_000)]
[NonParallelizable]
public sealed class SupersededAttemptTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Test]
    public async Task A_failure_of_an_attempt_whose_connection_dropped_does_not_override_the_re_sent_copys_success()
    {
        await using var cluster = await Cluster.StartAsync();
        await using var proxy = new TcpProxy(cluster.Distributor.Port);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var executions = 0;
        var node = await cluster.Host.StartNodeAsync(new NodeOptions
        {
            Name = "superseded",
            Distributors = { $"127.0.0.1:{proxy.Port}" },
            MaxAttempt = 1,
            LogJobProcessing = false,
            Jobs = j => j.Job("flaky", async _ =>
            {
                if (Interlocked.Increment(ref executions) == 1)
                {
                    started.TrySetResult();
                    await release.Task;
                    throw new InvalidOperationException("the stale attempt fails");
                }
            }),
        });
        await cluster.WaitForNodesAsync(1);

        var result = cluster.Distributor.EnqueueAsync("flaky");
        await started.Task.WaitAsync(Patience);
        proxy.Drop();
        // Both ends saw the drop: the distributor holds the job again, the node's attempt is stale.
        await WaitUntilAsync(() => !node.IsConnected && cluster.Distributor.ConnectedNodes.Count == 0);
        release.TrySetResult();
        Assert.That(await cluster.Logs.WaitForAsync("not reported, the distributor's new dispatch decides", Patience), Is.True,
            "the node ended the stale attempt without reporting its failure");
        proxy.Restore();
        var settled = await result.WaitAsync(Patience);

        TestContext.Out.WriteLine($"outcome={settled.Outcome} executions={executions}");
        Assert.That(settled.Outcome, Is.EqualTo(JobOutcome.Succeeded), settled.Error);
        Assert.That(executions, Is.EqualTo(2), "the re-sent copy ran once more, and won");
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "timed out waiting for the drop to be seen");
            await Task.Delay(20);
        }
    }
}
