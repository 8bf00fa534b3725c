using NUnit.Framework;
using Reactor.Protocol;
using Reactor.Protocol.Messages;
using Reactor.Tests.Integration.Support;

namespace Reactor.Tests.Integration.Core;

/// <summary>
/// Many jobs per frame over real TCP (protocol.md sections 5 and 8): a version 3 node gets jobs queued at
/// once as DispatchBatch frames, a version 2 node never does, and a real node process runs every job of a
/// large EnqueueMany that reached it in batches.
/// </summary>
[TestFixture]
[CancelAfter(180_000)]
[NonParallelizable]
public sealed class DispatchBatchWireTests
{
    private static readonly TimeSpan Patience = Cluster.Patience;

    /// <summary>Reads frames until <paramref name="jobs"/> jobs arrived; returns the frames.</summary>
    private static async Task<List<IReactorMessage>> ReadJobsAsync(RawPeer peer, int jobs)
    {
        var frames = new List<IReactorMessage>();
        var received = 0;
        while (received < jobs)
        {
            var frame = await peer.ReadFrameAsync(Patience);
            received += frame switch
            {
                DispatchBatch batch => batch.Jobs.Count,
                Dispatch => 1,
                _ => 0,
            };
            frames.Add(frame);
        }
        return frames;
    }

    private static IEnumerable<string> JobIds(IEnumerable<IReactorMessage> frames) =>
        frames.SelectMany(f => f switch
        {
            DispatchBatch batch => batch.Jobs.Select(j => j.JobId),
            Dispatch dispatch => [dispatch.JobId],
            _ => [],
        });

    [TestCase(3, TestName = "A version 3 node gets the jobs waiting for it in DispatchBatch frames, in order")]
    [TestCase(2, TestName = "A version 2 node gets the jobs waiting for it one Dispatch frame each, in order")]
    public async Task Jobs_waiting_for_a_node_reach_it_framed_as_its_version_allows(int version)
    {
        const int Jobs = 100;
        await using var cluster = await Cluster.StartAsync();
        // Queued before any node is there, so all of them go out at once when the node joins.
        var ids = cluster.Distributor.EnqueueMany("wire_job", Enumerable.Range(0, Jobs).Select(i => (object?)new { i }));
        await using var peer = await RawPeer.ConnectAsync(cluster.Distributor.Port);
        Assert.That(peer.Greeting!.MaxProtocolVersion, Is.EqualTo(ProtocolLimits.CurrentVersion));

        Assert.That(await peer.HelloAsync(version, $"v{version}_node", Jobs, "wire_job"), Is.TypeOf<Welcome>());
        var frames = await ReadJobsAsync(peer, Jobs);

        Assert.That(JobIds(frames), Is.EqualTo(ids), "every job once, in enqueue order");
        var batches = frames.OfType<DispatchBatch>().ToList();
        if (version < ProtocolLimits.DispatchBatchVersion)
        {
            Assert.That(batches, Is.Empty, "a version 2 node would refuse a DispatchBatch");
            Assert.That(frames, Has.Count.EqualTo(Jobs));
        }
        else
        {
            Assert.That(batches, Is.Not.Empty);
            Assert.That(frames.Count, Is.LessThan(Jobs / 2), $"{Jobs} jobs came in {frames.Count} frames");
        }
    }

    [Test]
    public async Task A_node_process_runs_every_job_of_a_large_batch_exactly_once()
    {
        const int Jobs = 20_000;
        await using var cluster = await Cluster.StartAsync();
        var results = new System.Collections.Concurrent.ConcurrentDictionary<int, int>();
        var completion = new TaskCompletionSource<BatchResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        // Enqueued before the node connects: it joins to a window of 10,000 waiting jobs, which leave in
        // batches; the call waits for them to settle before it queues the rest (so it runs beside the node).
        var enqueue = Task.Run(() => cluster.Distributor.EnqueueMany("add", Enumerable.Range(0, Jobs).Select(i => (object?)new { a = i, b = 1 }),
            onBatchComplete: r => completion.TrySetResult(r),
            success: a => results.AddOrUpdate(a.Get<int>("a"), 1, (_, n) => n + 1)));
        while (cluster.Distributor.GetSnapshot().PendingCount < 10_000)
        {
            await Task.Delay(10);
        }
        cluster.StartNode("batched_node", "--capacity", "2000");
        await cluster.WaitForNodesAsync(1);

        var batch = await completion.Task.WaitAsync(Patience);
        Assert.That(await enqueue, Has.Count.EqualTo(Jobs));

        Assert.That(batch, Is.EqualTo(new BatchResult(Jobs, Jobs, 0, 0)));
        Assert.That(results, Has.Count.EqualTo(Jobs));
        Assert.That(results.Values, Has.All.EqualTo(1), "no job ran twice");
    }
}
