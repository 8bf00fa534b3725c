using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using NUnit.Framework;
using Reactor.Protocol;
using Reactor.Protocol.Messages;
using Reactor.Tests.Integration.Support;

namespace Reactor.Tests.Integration.Core;

/// <summary>
/// Protocol versions 1 and 2 side by side (docs/protocol.md section 8): a version 2 distributor with a
/// version 1 node, and a version 2 node with a version 1 distributor, over real TCP.
/// </summary>
[TestFixture]
[CancelAfter(120_000)]
[NonParallelizable]
public sealed class ProtocolVersionTests
{
    private static readonly TimeSpan Patience = Cluster.Patience;

    [Test]
    public async Task A_version_2_distributor_reads_a_version_1_nodes_results_with_one_outcome_and_never_a_success_for_a_failure()
    {
        await using var cluster = await Cluster.StartAsync();
        await using var peer = await RawPeer.ConnectAsync(cluster.Distributor.Port);
        Assert.That(peer.Greeting!.ProtocolVersion, Is.EqualTo(1), "a version 1 node reads only this field, and must find its version");
        Assert.That(peer.Greeting.MaxProtocolVersion, Is.EqualTo(ProtocolLimits.CurrentVersion));
        Assert.That(await peer.HelloAsync(1, "old_node", "v1_job"), Is.TypeOf<Welcome>(), "version 1 is still spoken");

        var selfCancelled = Heard(cluster.Distributor, out var selfCancelledId);
        var failedWithoutText = Heard(cluster.Distributor, out var failedId);
        var succeeded = Heard(cluster.Distributor, out var succeededId);
        var dispatched = new HashSet<string>();
        while (dispatched.Count < 3)
        {
            if (await peer.ReadAsync(Patience) is Dispatch dispatch)
            {
                dispatched.Add(dispatch.JobId);
            }
        }
        Assert.That(dispatched, Is.EquivalentTo(new[] { selfCancelledId, failedId, succeededId }));

        // Exactly what a version 1 node sends: no reason; a self-cancelled job has no text; and one
        // (broken) node's failure without a text, which version 1 distributors took for a success.
        await peer.SendAsync(new Result(selfCancelledId, JobOutcome.Cancelled, new JobArgs { ["k"] = 1 }, null, true, 1));
        await peer.SendAsync(new Result(failedId, JobOutcome.Failed, new JobArgs(), null, true, 3));
        await peer.SendAsync(new Result(succeededId, JobOutcome.Succeeded, new JobArgs { ["k"] = 2 }, null, true, 1));

        var cancelled = await selfCancelled.WaitAsync(Patience);
        var failed = await failedWithoutText.WaitAsync(Patience);
        var success = await succeeded.WaitAsync(Patience);
        Assert.That(cancelled.Lambda, Is.EqualTo("cancelled"));
        Assert.That(cancelled.Args.Get<string>("error"), Is.EqualTo("cancelled by the job"));
        Assert.That(failed.Lambda, Is.EqualTo("error"), "an error result without text does not run the success lambda");
        Assert.That(failed.Args.Get<string>("error"), Is.EqualTo("the node reported a failure without an error text"));
        Assert.That(success.Lambda, Is.EqualTo("success"));
        Assert.That(success.Args.ContainsKey("error"), Is.False);
    }

    [Test]
    public async Task A_version_2_node_speaks_version_1_to_a_version_1_distributor_and_reports_a_self_cancel_the_version_1_way()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        await using var node = NodeProcess.Start("new_node", $"127.0.0.1:{port}", Cluster.JobsDirectory, "--log-job-processing", "false");
        try
        {
            using var timeout = new CancellationTokenSource(Patience);
            using var socket = await listener.AcceptSocketAsync(timeout.Token);
            // A version 1 distributor's Greeting, byte for byte: four fields, no MaxProtocolVersion.
            await socket.SendAsync(RawPeer.Frame((ref MessagePack.MessagePackWriter w) =>
            {
                w.WriteArrayHeader(2);
                w.Write(MessageType.Greeting);
                w.WriteArrayHeader(4);
                w.Write(1);
                w.Write("old-distributor");
                w.Write(RandomNumberGenerator.GetBytes(16));
                w.Write(false);
            }));
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            var hello = (Hello)await SocketFrames.ReadFrameAsync(stream, Patience);
            Assert.That(hello.ProtocolVersion, Is.EqualTo(1), "the newest version both speak");

            await socket.SendAsync(SocketFrames.Encode(new Welcome("old-distributor", 5000)));
            await socket.SendAsync(SocketFrames.Encode(new Dispatch("v1-cancel", "cancel_self", new JobArgs(), 0, 0, false, 0, 0, 0)));
            await socket.SendAsync(SocketFrames.Encode(new Dispatch("v1-fail", "fail", new JobArgs(), 0, 0, false, 1, 0, 0)));
            var results = new Dictionary<string, Result>();
            while (results.Count < 2)
            {
                if (await SocketFrames.ReadFrameAsync(stream, Patience) is Result result)
                {
                    results[result.JobId] = result;
                }
            }

            var cancel = results["v1-cancel"];
            Assert.That(cancel.Outcome, Is.EqualTo(JobOutcome.Cancelled));
            Assert.That(cancel.Error, Is.Null, "version 1 reports a self-cancelled job without a text");
            Assert.That(cancel.Args.ContainsKey("error"), Is.False);
            Assert.That(cancel.Args.Get<bool>("before_cancel"), Is.True);
            Assert.That(cancel.Reason, Is.EqualTo(JobOutcomeReason.Unspecified), "no reason field on a version 1 connection");
            var fail = results["v1-fail"];
            Assert.That(fail.Outcome, Is.EqualTo(JobOutcome.Failed));
            Assert.That(fail.Error, Is.EqualTo("InvalidOperationException: boom"));
            Assert.That(fail.Args.Get<string>("error"), Is.EqualTo(fail.Error), "version 1 distributors read the text from the args");
            Assert.That(fail.Reason, Is.EqualTo(JobOutcomeReason.Unspecified));
        }
        finally
        {
            listener.Stop();
        }
    }

    private static Task<(string Lambda, JobArgs Args)> Heard(ReactorDistributor distributor, out string id)
    {
        var heard = new TaskCompletionSource<(string, JobArgs)>(TaskCreationOptions.RunContinuationsAsynchronously);
        id = distributor.Enqueue("v1_job", null, null,
            success: a => heard.TrySetResult(("success", a)),
            error: a => heard.TrySetResult(("error", a)),
            cancelled: a => heard.TrySetResult(("cancelled", a)));
        return heard.Task;
    }
}
