using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using NUnit.Framework;
using Reactor.Protocol;
using Reactor.Protocol.Messages;
using Reactor.Tests.Integration.Support;

namespace Reactor.Tests.Integration.Reliability;

/// <summary>
/// Final results acknowledged in ranges on a version 3 connection (protocol.md section 7.5), over real TCP:
/// the distributor numbers a connection's final results as they arrive and acknowledges runs of them; a real
/// node maps the numbers back to its jobs, forgets exactly those, and numbers from 1 again on a new connection.
/// Version 2 peers keep one ResultAck per job.
/// </summary>
[TestFixture]
[CancelAfter(180_000)]
public sealed class RangeAckTests
{
    private static readonly TimeSpan Patience = Cluster.Patience;

    [Test]
    public async Task A_version_3_node_hears_a_run_of_final_results_acknowledged_by_number_without_job_ids()
    {
        await using var cluster = await Cluster.StartAsync();
        await using var peer = await RawPeer.ConnectAsync(cluster.Distributor.Port);
        Assert.That(await peer.HelloAsync("ranged", "x"), Is.InstanceOf<Welcome>());
        var results = Enumerable.Range(0, 10).Select(i => cluster.Distributor.EnqueueAsync("x", new { i })).ToList();
        var dispatches = new List<Dispatch>();
        while (dispatches.Count < 10)
        {
            if (await peer.ReadAsync(Patience) is Dispatch dispatch)
            {
                dispatches.Add(dispatch);
            }
        }

        // All ten in one write, as a busy node sends them.
        await peer.SendRawAsync([.. dispatches.SelectMany(d =>
            SocketFrames.Encode(new Result(d.JobId, JobOutcome.Succeeded, d.Args, null, true, 1) { Reason = JobOutcomeReason.Completed }))]);

        var acknowledged = new List<long>();
        var ranges = 0;
        while (acknowledged.Count < 10)
        {
            switch (await peer.ReadAsync(Patience))
            {
                case ResultAckRange range:
                    ranges++;
                    for (var n = range.First; n < range.First + range.Count; n++)
                    {
                        acknowledged.Add(n);
                    }
                    break;
                case ResultAck ack:
                    Assert.Fail($"a version 3 connection got a per-job ResultAck ({ack.JobId})");
                    break;
            }
        }
        Assert.That(acknowledged, Is.EqualTo(Enumerable.Range(1, 10).Select(n => (long)n)), "every result once, numbered in arrival order");
        Assert.That(ranges, Is.LessThan(10), "results that arrived together share an acknowledgement");
        foreach (var result in results)
        {
            Assert.That((await result.WaitAsync(Patience)).Outcome, Is.EqualTo(JobOutcome.Succeeded));
        }
    }

    [Test]
    public async Task A_version_2_node_still_gets_one_ResultAck_per_job()
    {
        await using var cluster = await Cluster.StartAsync();
        await using var peer = await RawPeer.ConnectAsync(cluster.Distributor.Port);
        Assert.That(await peer.HelloAsync(2, "per_job", "x"), Is.InstanceOf<Welcome>());
        var results = Enumerable.Range(0, 3).Select(i => cluster.Distributor.EnqueueAsync("x", new { i })).ToList();
        var ids = new List<string>();
        while (ids.Count < 3)
        {
            if (await peer.ReadAsync(Patience) is Dispatch dispatch)
            {
                ids.Add(dispatch.JobId);
                await peer.SendAsync(new Result(dispatch.JobId, JobOutcome.Succeeded, dispatch.Args, null, true, 1));
            }
        }

        var acked = new List<string>();
        while (acked.Count < 3)
        {
            var message = await peer.ReadAsync(Patience);
            Assert.That(message, Is.Not.InstanceOf<ResultAckRange>(), "a version 2 node does not know ranges");
            if (message is ResultAck ack)
            {
                acked.Add(ack.JobId);
            }
        }
        Assert.That(acked, Is.EquivalentTo(ids));
        await Task.WhenAll(results).WaitAsync(Patience);
    }

    /// <summary>
    /// A hand-driven version 3 distributor and a real node: the node forgets exactly the results a range names,
    /// answers a re-dispatch of an unacknowledged job with its kept result (the job does not run again), and
    /// after a reconnect numbers its results from 1 again.
    /// </summary>
    [Test]
    public async Task A_node_forgets_exactly_the_results_a_range_names_and_numbers_from_1_again_after_a_reconnect()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        await using var node = NodeProcess.Start("ranged_node", $"127.0.0.1:{port}", Cluster.JobsDirectory, "--log-job-processing", "false");
        try
        {
            var prefix = Guid.NewGuid().ToString("N");
            var jobs = new[] { "r1", "r2", "r3" };
            Dispatch Run(string id) => new($"{prefix}-{id}", "count_runs", new JobArgs { ["key"] = $"{prefix}-{id}" }, 0, 0, false, 0, 0, 0);

            var (first, firstStream) = await AcceptAsync(listener);
            await using (firstStream)
            {
                var round = await RoundAsync(first, firstStream, jobs.Select(Run));
                Assert.That(round.Select(r => r.Run), Is.All.EqualTo(1), "each job ran once");
                var sent = round.Select(r => r.JobId).ToList();

                // The second result this connection carried is recorded; the others are not.
                await first.SendAsync(SocketFrames.Encode(new ResultAckRange(2, 1)));
                var again = await RoundAsync(first, firstStream, jobs.Select(Run));
                Assert.That(RunOf(again, sent[1]), Is.EqualTo(2), "the acknowledged result was forgotten, so its job ran again");
                Assert.That(RunOf(again, sent[0]), Is.EqualTo(1), "an unacknowledged result answers the re-dispatch");
                Assert.That(RunOf(again, sent[2]), Is.EqualTo(1), "an unacknowledged result answers the re-dispatch");
            }

            // The node reconnects; all three results are unacknowledged and kept across the reconnect.
            var (second, secondStream) = await AcceptAsync(listener);
            await using (secondStream)
            {
                var kept = await RoundAsync(second, secondStream, jobs.Select(Run));
                Assert.That(kept.Select(r => r.Run).Order(), Is.EqualTo(new[] { 1, 1, 2 }), "nothing ran: every result was kept");

                // Number 1 on this connection is the first result it carried, whatever was numbered 1 before.
                await second.SendAsync(SocketFrames.Encode(new ResultAckRange(1, 1)));
                var last = await RoundAsync(second, secondStream, jobs.Select(Run));
                Assert.That(RunOf(last, kept[0].JobId), Is.EqualTo(kept[0].Run + 1), "the first result of the new connection was forgotten");
                Assert.That(RunOf(last, kept[1].JobId), Is.EqualTo(kept[1].Run));
                Assert.That(RunOf(last, kept[2].JobId), Is.EqualTo(kept[2].Run));
            }
        }
        finally
        {
            listener.Stop();
        }
    }

    /// <summary>Accepts the node's connection and completes the handshake as a distributor speaking versions 1 to 3.</summary>
    private static async Task<(Socket Socket, NetworkStream Stream)> AcceptAsync(TcpListener listener)
    {
        using var timeout = new CancellationTokenSource(Patience);
        var socket = await listener.AcceptSocketAsync(timeout.Token);
        var stream = new NetworkStream(socket, ownsSocket: true);
        await socket.SendAsync(SocketFrames.Encode(new Greeting(ProtocolLimits.OldestVersion, "ranges", RandomNumberGenerator.GetBytes(16), false,
            ProtocolLimits.CurrentVersion)));
        var hello = (Hello)await SocketFrames.ReadFrameAsync(stream, Patience);
        Assert.That(hello.ProtocolVersion, Is.EqualTo(ProtocolLimits.CurrentVersion));
        await socket.SendAsync(SocketFrames.Encode(new Welcome("ranges", 5000)));
        return (socket, stream);
    }

    /// <summary>Sends the dispatches and returns each job's <c>run</c> count, in the order the final results arrived.</summary>
    private static async Task<List<(string JobId, int Run)>> RoundAsync(Socket socket, NetworkStream stream, IEnumerable<Dispatch> dispatches)
    {
        var batch = dispatches.ToList();
        foreach (var dispatch in batch)
        {
            await socket.SendAsync(SocketFrames.Encode(dispatch));
        }
        var runs = new List<(string, int)>();
        while (runs.Count < batch.Count)
        {
            if (await SocketFrames.ReadFrameAsync(stream, Patience) is Result { Final: true } result)
            {
                Assert.That(result.Outcome, Is.EqualTo(JobOutcome.Succeeded), result.Error);
                runs.Add((result.JobId, result.Args.Get<int>("run")));
            }
        }
        return runs;
    }

    private static int RunOf(List<(string JobId, int Run)> round, string jobId) => round.Single(r => r.JobId == jobId).Run;
}
