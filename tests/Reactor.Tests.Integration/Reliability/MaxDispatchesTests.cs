using NUnit.Framework;
using Reactor.Protocol.Messages;
using Reactor.Tests.Integration.Services;
using Reactor.Tests.Integration.Support;

namespace Reactor.Tests.Integration.Reliability;

/// <summary>
/// The distributor's side of lost nodes, seen from hand-driven peers on real TCP: each lost
/// connection is a loss against the jobs it held; re-dispatched jobs travel alone; at MaxDispatches
/// a job fails and its journal entry is settled.
/// </summary>
[TestFixture]
[CancelAfter(120_000)]
public sealed class MaxDispatchesTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>The next frame that is not a Heartbeat or an acknowledgement (an ack trails the Dispatch its Result freed).</summary>
    private static async Task<IReactorMessage> NextAsync(RawPeer peer)
    {
        while (true)
        {
            var message = await peer.ReadAsync(Patience);
            if (message is not (Heartbeat or ResultAck or ResultAckRange))
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

    [Test]
    public async Task Jobs_of_a_lost_node_go_out_again_one_per_node_with_nothing_sent_after_them()
    {
        await using var cluster = await Cluster.StartAsync();
        await using var lost = await JoinAsync(cluster.Distributor, "lost");
        var results = Enumerable.Range(0, 3).Select(i => cluster.Distributor.EnqueueAsync("x", new { i })).ToList();
        for (var i = 0; i < 3; i++)
        {
            Assert.That(await NextAsync(lost), Is.InstanceOf<Dispatch>());
        }
        lost.Close();

        await using var next = await JoinAsync(cluster.Distributor, "next");
        var sent = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var dispatch = (Dispatch)await NextAsync(next);
            sent.Add(dispatch.JobId);
            // A marker: any Dispatch the distributor had sent after this one would arrive before it.
            cluster.Distributor.Cancel(dispatch.JobId);
            Assert.That(await NextAsync(next), Is.EqualTo(new Cancel(dispatch.JobId)), "nothing follows a re-dispatched job");
            await next.SendAsync(new Result(dispatch.JobId, JobOutcome.Cancelled, dispatch.Args, "cancelled by the application", true, 1));
        }

        var outcomes = await Task.WhenAll(results).WaitAsync(Patience);
        Assert.That(sent.Distinct().Count(), Is.EqualTo(3));
        Assert.That(outcomes.Select(r => r.Outcome), Is.All.EqualTo(JobOutcome.Cancelled));
    }

    [Test]
    public async Task A_job_whose_nodes_are_lost_MaxDispatches_times_fails_and_leaves_the_journal()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        await using var cluster = await Cluster.StartAsync(o =>
        {
            o.Redis = redis.Address;
            o.Name = "max-dispatches";
        });
        var pending = cluster.Distributor.EnqueueAsync("x", new { n = 1 }, new EnqueueOptions { MaxDispatches = 2 });
        string? id = null;
        foreach (var name in new[] { "lost_1", "lost_2" })
        {
            await using var peer = await JoinAsync(cluster.Distributor, name);
            var dispatch = (Dispatch)await NextAsync(peer);
            Assert.That(id ??= dispatch.JobId, Is.EqualTo(dispatch.JobId));
            peer.Close();
        }

        var result = await pending.WaitAsync(Patience);
        JobResult? stored = null;
        for (var i = 0; i < 100 && stored is null; i++)
        {
            // The journal settle is pipelined, not awaited by the feedback.
            stored = await cluster.Distributor.GetResultAsync(id!);
            await Task.Delay(50);
        }

        TestContext.Out.WriteLine(result.Error);
        Assert.That(result.Outcome, Is.EqualTo(JobOutcome.Failed));
        Assert.That(result.Error, Does.Contain("dispatched 2 times").And.Contain("each node it ran on was lost"));
        Assert.That(result.Args.Get<long>("n"), Is.EqualTo(1));
        Assert.That(stored?.Outcome, Is.EqualTo(JobOutcome.Failed), "settled in the journal like any final failure");
        Assert.That(cluster.Distributor.InFlightCount + cluster.Distributor.PendingCount, Is.Zero, "never dispatched again");
    }

    [Test]
    public async Task A_node_that_says_goodbye_hands_its_jobs_back_without_a_charge()
    {
        await using var cluster = await Cluster.StartAsync();
        var pending = cluster.Distributor.EnqueueAsync("x", null, new EnqueueOptions { MaxDispatches = 1 });
        await using (var leaving = await JoinAsync(cluster.Distributor, "leaving"))
        {
            Assert.That(await NextAsync(leaving), Is.InstanceOf<Dispatch>());
            await leaving.SendAsync(new Goodbye("rolling restart"));
            leaving.Close();
        }

        await using var next = await JoinAsync(cluster.Distributor, "next");
        var dispatch = (Dispatch)await NextAsync(next);
        await next.SendAsync(new Result(dispatch.JobId, JobOutcome.Succeeded, dispatch.Args, null, true, 1));

        Assert.That((await pending.WaitAsync(Patience)).Outcome, Is.EqualTo(JobOutcome.Succeeded),
            "MaxDispatches 1 and still sent again: a Goodbye is not a loss");
    }
}
