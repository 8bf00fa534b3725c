using NUnit.Framework;
using Reactor.Protocol.Messages;
using Reactor.Tests.Integration.Support;

namespace Reactor.Tests.Integration.Reliability;

/// <summary>
/// The distributor's half of "a stale failure never overrides a later success", with hand-driven
/// peers on real TCP: a node whose connection dropped (and which reconnects) reports a failure for
/// a job the distributor has since sent to another node.
/// </summary>
[TestFixture]
[CancelAfter(120_000)]
public sealed class StaleFailureTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Test]
    public async Task A_failure_from_a_node_whose_copy_was_superseded_does_not_settle_the_job()
    {
        await using var cluster = await Cluster.StartAsync();
        await using var first = await JoinAsync(cluster.Distributor, "first");
        var result = cluster.Distributor.EnqueueAsync("x", new { n = 1 });
        var sent = (Dispatch)await NextAsync(first);
        first.Close();

        await using var second = await JoinAsync(cluster.Distributor, "second");
        var again = (Dispatch)await NextAsync(second);
        Assert.That(again.JobId, Is.EqualTo(sent.JobId), "the job went to the other node");

        // The first node is back (a resumed job) and reports its attempt failed.
        await using var back = await JoinAsync(cluster.Distributor, "first");
        await back.SendAsync(new Result(sent.JobId, JobOutcome.Failed, sent.Args, "boom: stale attempt", true, 1));
        // The first final result on this (version 3) connection: number 1 in a range acknowledgement.
        Assert.That(await NextAsync(back), Is.EqualTo(new ResultAckRange(1, 1)), "the stale result is acknowledged");
        Assert.That(result.IsCompleted, Is.False, "a stale failure does not settle the job");
        Assert.That(cluster.Logs.Lines.Any(l => l.Contains("Ignored a failure of job", StringComparison.Ordinal)), Is.True);

        var args = again.Args.Clone();
        args["done"] = true;
        await second.SendAsync(new Result(again.JobId, JobOutcome.Succeeded, args, null, true, 1));
        var final = await result.WaitAsync(Patience);
        Assert.That(final.Outcome, Is.EqualTo(JobOutcome.Succeeded));
        Assert.That(final.Args.Get<bool>("done"), Is.True);
    }

    [Test]
    public async Task A_failure_from_the_node_that_holds_the_job_settles_it()
    {
        await using var cluster = await Cluster.StartAsync();
        await using var node = await JoinAsync(cluster.Distributor, "only");
        var result = cluster.Distributor.EnqueueAsync("x");
        var sent = (Dispatch)await NextAsync(node);

        await node.SendAsync(new Result(sent.JobId, JobOutcome.Failed, sent.Args, "boom: real", true, 1));

        var final = await result.WaitAsync(Patience);
        Assert.That(final.Outcome, Is.EqualTo(JobOutcome.Failed));
        Assert.That(final.Error, Does.Contain("boom: real"));
    }

    private static async Task<IReactorMessage> NextAsync(RawPeer peer)
    {
        while (true)
        {
            var message = await peer.ReadAsync(Patience);
            if (message is not Heartbeat)
            {
                return message;
            }
        }
    }

    private static async Task<RawPeer> JoinAsync(ReactorDistributor distributor, string name)
    {
        var peer = await RawPeer.ConnectAsync(distributor.Port);
        Assert.That(await peer.HelloAsync(name, "x"), Is.InstanceOf<Welcome>());
        return peer;
    }
}
