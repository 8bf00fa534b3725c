using NUnit.Framework;
using Reactor.Tests.Integration.Support;

namespace Reactor.Tests.Integration.Core;

/// <summary>
/// A job whose result outgrows the frame limit (protocol.md section 8): the node replaces the result
/// with an error that fits before sending, so the job settles once instead of looping through
/// dropped connections and re-dispatches.
/// </summary>
[TestFixture]
[CancelAfter(180_000)]
public sealed class OversizedResultTests
{
    [Test]
    public async Task A_result_past_the_frame_limit_settles_once_as_an_error_naming_the_size_and_the_node_stays_connected()
    {
        await using var cluster = await Cluster.StartAsync();
        var node = cluster.StartNode("worker");
        await cluster.WaitForNodesAsync(1);
        var successes = 0;
        var errors = 0;
        var firstError = new TaskCompletionSource<JobArgs>(TaskCreationOptions.RunContinuationsAsynchronously);

        cluster.Distributor.Enqueue("oversized", new { tag = "big" },
            success: _ => Interlocked.Increment(ref successes),
            error: a =>
            {
                Interlocked.Increment(ref errors);
                firstError.TrySetResult(a);
            });
        var failed = await firstError.Task.WaitAsync(Cluster.Patience);
        // Same connection, same delivery loop: this job's feedback comes after anything the first job
        // still had on its way, and a dropped connection would have shown in the log below.
        var next = await cluster.Distributor.EnqueueAsync("add", new { a = 1, b = 2 }).WaitAsync(Cluster.Patience);
        Assert.That(await Wait.UntilAsync(() => node.Output.Any(l => l.Contains("oversized ran", StringComparison.Ordinal)), Cluster.Patience), Is.True);

        Assert.That(failed.Get<string>("error"), Does.Contain("bytes, over the frame limit of 4194304 bytes"));
        Assert.That(errors, Is.EqualTo(1), "exactly one error feedback");
        Assert.That(successes, Is.Zero);
        Assert.That(node.Output.Count(l => l.Contains("oversized ran tag=big", StringComparison.Ordinal)), Is.EqualTo(1), "the job ran once");
        Assert.That(next.Args.Get<long>("sum"), Is.EqualTo(3), "the node still serves jobs");
        Assert.That(cluster.Distributor.ConnectedNodes, Is.EqualTo(new[] { "worker" }));
        Assert.That(cluster.Logs.Lines.Count(l => l.Contains("Node worker joined", StringComparison.Ordinal)), Is.EqualTo(1), "the connection never dropped");
        Assert.That(cluster.Logs.Contains("protocol violation"), Is.False);
        Assert.That(cluster.Distributor.InFlightCount, Is.Zero);
        Assert.That(cluster.Distributor.FeedbackCount, Is.Zero);
    }
}
