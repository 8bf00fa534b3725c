using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MessagePack;
using NUnit.Framework;
using Reactor.Protocol;
using Reactor.Protocol.Diagnostics;
using Reactor.Protocol.Messages;
using Reactor.Tests.Integration.Support;

namespace Reactor.Tests.Integration.Tracing;

/// <summary>
/// A fake distributor sends a real node Dispatches whose trace context is garbage, oversized or of the
/// wrong type, and one without it: the node keeps the connection, runs every job, and (with a listener)
/// starts a fresh trace for the ones whose context it could not use.
/// </summary>
[TestFixture]
[CancelAfter(120_000)]
public sealed class BadTraceContextTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static byte[] Dispatch(string jobId, string? traceParent) =>
        SocketFrames.Encode(new Dispatch(jobId, "ok", [], 0, 0, false, 1, 0, 0) { TraceParent = traceParent });

    /// <summary>Dispatch [jobId, "ok", {}, 0, 0, false, 1, 0, 0, 42, ["x"]]: an int and an array where strs belong.</summary>
    private static byte[] DispatchWithWrongTypes(string jobId) => RawPeer.Frame((ref MessagePackWriter w) =>
    {
        w.WriteArrayHeader(2);
        w.Write(4);
        w.WriteArrayHeader(11);
        w.Write(jobId);
        w.Write("ok");
        w.WriteMapHeader(0);
        w.Write(0);
        w.Write(0);
        w.Write(false);
        w.Write(1);
        w.Write(0);
        w.Write(0);
        w.Write(42);
        w.WriteArrayHeader(1);
        w.Write("x");
    });

    [Test]
    public async Task Jobs_with_a_garbage_oversized_or_mistyped_trace_context_run_on_the_same_connection_in_a_new_trace()
    {
        using var spans = new CapturedSpans();
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var options = new NodeOptions { Name = "traced", LogJobProcessing = false, Jobs = j => j.Job("ok", a => a["ran"] = true) };
        options.Distributors.Add($"127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}");
        await using var node = new ReactorNode(options, TestLogging.Factory);
        try
        {
            await node.StartAsync();
            using var socket = await listener.AcceptSocketAsync(new CancellationTokenSource(Patience).Token);
            await using var stream = new NetworkStream(socket);
            await stream.WriteAsync(SocketFrames.Encode(new Greeting(ProtocolLimits.CurrentVersion, "fake", new byte[16], false)));
            Assert.That(await SocketFrames.ReadFrameAsync(stream, Patience), Is.InstanceOf<Hello>());
            await stream.WriteAsync(SocketFrames.Encode(new Welcome("fake", 5000)));

            await stream.WriteAsync(Dispatch("garbage", "not-a-traceparent"));
            await stream.WriteAsync(Dispatch("oversized", SampleTraceParent + new string('0', ReactorTracing.MaxTraceContextBytes)));
            await stream.WriteAsync(DispatchWithWrongTypes("mistyped"));
            await stream.WriteAsync(Dispatch("valid", SampleTraceParent));
            await stream.WriteAsync(Dispatch("absent", null));

            var results = new Dictionary<string, Result>();
            while (results.Count < 5)
            {
                if (await SocketFrames.ReadFrameAsync(stream, Patience) is Result result)
                {
                    results[result.JobId] = result;
                }
            }
            Assert.That(results.Values.Select(r => (r.JobId, r.Outcome, r.Args.Get<bool>("ran"))),
                Is.EquivalentTo(new[] { "garbage", "oversized", "mistyped", "valid", "absent" }.Select(id => (id, JobOutcome.Succeeded, true))));
            var consumers = await spans.WaitForAsync(a => a.Kind == ActivityKind.Consumer && a.GetTagItem(ReactorTracing.NodeName) is "traced", 5, Patience);
            var parentOf = consumers.ToDictionary(a => (string)a.GetTagItem(ReactorTracing.JobId)!, a => a.ParentSpanId.ToHexString());
            Assert.Multiple(() =>
            {
                Assert.That(parentOf["valid"], Is.EqualTo("b7ad6b7169203331"), "a valid context is still used");
                foreach (var id in new[] { "garbage", "oversized", "mistyped", "absent" })
                {
                    Assert.That(parentOf[id], Is.EqualTo(default(ActivitySpanId).ToHexString()), $"{id}: a new trace");
                }
            });
        }
        finally
        {
            listener.Stop();
        }
    }

    private const string SampleTraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
}
