using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using NUnit.Framework;
using Reactor.Protocol;
using Reactor.Protocol.Messages;
using Reactor.Tests.Integration.Support;

namespace Reactor.Tests.Integration.Fuzz;

/// <summary>
/// A fake distributor feeds nodes mutations of the golden frames (handshake and session), an
/// overflowing protocol version and garbage; the nodes must log each failure, keep reconnecting with
/// backoff, and join a real distributor that later answers on the same port.
/// </summary>
[TestFixture]
[CancelAfter(240_000)]
public sealed class NodeFuzzTests
{
    private const int Nodes = 3;
    private const int Connections = 1_500;
    private const int FramesAfterWelcome = 8;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    // DistributorLink event ids: how a connection attempt can end.
    private const int LinkFailed = 100, Disconnected = 102, Rejected = 103, Violation = 108, Unexpected = 109, VersionMismatch = 110;

    /// <summary>Greeting [0, [0xffffffff, "dist-1", nonce, false]]: the version overflows int32.</summary>
    private static byte[] OverflowingGreeting() => RawPeer.Frame(Convert.FromHexString(
        "920094ceffffffffa6646973742d31c410" + "000102030405060708090a0b0c0d0e0f" + "c2"));

    private static NodeOptions FuzzedNode(string name, int port)
    {
        var options = new NodeOptions
        {
            Name = name,
            LogJobProcessing = false,
            ReconnectDelay = TimeSpan.FromMilliseconds(1),
            MaxReconnectDelay = TimeSpan.FromMilliseconds(20),
            Jobs = j =>
            {
                j.Job("report", _ => { });
                j.Job("my_job", _ => { });
                j.Job("add", a => a["sum"] = a.Get<long>("a") + a.Get<long>("b"));
            },
        };
        options.Distributors.Add($"127.0.0.1:{port}");
        return options;
    }

    [Test]
    public async Task In_process_nodes_fed_mutated_frames_log_each_failure_keep_reconnecting_and_join_a_real_distributor_on_that_port()
    {
        using var unobserved = new UnobservedExceptions();
        using var logs = new CountingLogs();
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var nodes = Enumerable.Range(0, Nodes).Select(k => new ReactorNode(FuzzedNode($"fuzzed_{k}", port), logs.Factory)).ToList();
        try
        {
            foreach (var node in nodes)
            {
                await node.StartAsync();
            }

            // Each accepted connection is a node that reconnected after the previous case: a node that
            // went deaf would stall this loop and fail the test on the accept timeout.
            var frames = 0;
            var serving = new List<Task>();
            for (var i = 0; i < Connections; i++)
            {
                var socket = await listener.AcceptSocketAsync(new CancellationTokenSource(Patience).Token);
                var index = i;
                serving.Add(Task.Run(async () =>
                {
                    using (socket)
                    {
                        var (sent, closed) = await FuzzOneAsync(socket, index);
                        Interlocked.Add(ref frames, sent);
                        Assert.That(closed, Is.True, $"the node closed fuzzed connection {index}");
                    }
                }));
            }
            await Task.WhenAll(serving).WaitAsync(Patience);

            // Then the reported fault itself, once per node: a Greeting whose version overflows int32.
            for (var k = 0; k < Nodes; k++)
            {
                using var socket = await listener.AcceptSocketAsync(new CancellationTokenSource(Patience).Token);
                Assert.That(await SocketFrames.SendCloseAndDrainAsync(socket, OverflowingGreeting(), Patience), Is.True);
            }
            var endings = logs.Count(LinkFailed, Disconnected, Rejected, Violation, Unexpected, VersionMismatch);
            TestContext.Out.WriteLine($"{Connections + Nodes} connections to {Nodes} nodes, {frames + Nodes} frames; log counts by event id: {logs.Summary()}");
            Assert.That(endings, Is.GreaterThanOrEqualTo(Connections), "each connection's end was logged");
            Assert.That(logs.Count(Unexpected), Is.Zero, "every decode error was a protocol violation:\n" + string.Join("\n", logs.Recent.TakeLast(20)));
            Assert.That(await Wait.UntilAsync(() => logs.Recent.Any(l => l.Contains("OverflowException", StringComparison.Ordinal)), Patience),
                Is.True, "the overflowing version was logged as a protocol violation");

            // A real distributor on the same port: every node joins it and runs jobs.
            listener.Stop();
            await using var distributor = new ReactorDistributor(new DistributorOptions { Port = port }, logs.Factory);
            await distributor.StartAsync();
            await distributor.WaitForNodesAsync(Nodes).WaitAsync(Patience);
            for (var k = 0; k < Nodes; k++)
            {
                var result = await distributor.EnqueueAsync("add", new { a = k, b = 40 }, new EnqueueOptions { Node = $"fuzzed_{k}" }).WaitAsync(Patience);
                Assert.That(result.Args.Get<long>("sum"), Is.EqualTo(40 + k));
            }
            Assert.That(unobserved.Collect(), Is.Empty, "no task exception went unobserved");
        }
        finally
        {
            listener.Stop();
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    [Test]
    public async Task A_node_process_fed_an_overflowing_version_a_newer_version_and_garbage_reconnects_to_a_good_distributor_on_the_same_port()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        await using var node = NodeProcess.Start("stubborn", $"127.0.0.1:{port}", Cluster.JobsDirectory, "--log-job-processing", "false");
        try
        {
            using (var first = await AcceptAsync(listener))
            {
                Assert.That(await SocketFrames.SendCloseAndDrainAsync(first, OverflowingGreeting(), Patience), Is.True, "closed after the overflow");
            }
            using (var second = await AcceptAsync(listener))
            {
                // A version this node does not speak: it says goodbye, closes, and tries again later.
                await second.SendAsync(SocketFrames.Encode(new Greeting(ProtocolLimits.CurrentVersion + 1, "future", RandomNumberGenerator.GetBytes(16), false)));
                await using var stream = new NetworkStream(second, ownsSocket: false);
                var goodbye = await SocketFrames.ReadFrameAsync(stream, Patience);
                Assert.That(goodbye, Is.TypeOf<Goodbye>());
                Assert.That(((Goodbye)goodbye).Reason, Does.Contain($"protocol version {ProtocolLimits.OldestVersion}-{ProtocolLimits.CurrentVersion}"));
                Assert.That(await SocketFrames.DrainAsync(second, Patience), Is.True);
            }
            using (var third = await AcceptAsync(listener))
            {
                Assert.That(await SocketFrames.SendCloseAndDrainAsync(third, "HTTP/1.1 200 OK\r\n\r\n"u8.ToArray(), Patience), Is.True);
            }
            listener.Stop();

            await using var host = new ReactorHost();
            await host.StartDistributorAsync("127.0.0.1", port);
            await host.Distributor.WaitForNodesAsync(1).WaitAsync(Patience);
            var result = await host.Distributor.EnqueueAsync("add", new { a = 40, b = 2 }).WaitAsync(Patience);

            Assert.That(result.Args.Get<long>("sum"), Is.EqualTo(42));
            var output = string.Join("\n", node.Output);
            Assert.That(output, Does.Contain("protocol violation").And.Contain("OverflowException"), output);
            Assert.That(output, Does.Contain($"protocol version {ProtocolLimits.CurrentVersion + 1}"), output);
            Assert.That(output, Does.Contain("exceeds the limit"), "the garbage was reported too:\n" + output);
            Assert.That(node.HasExited, Is.False);
        }
        finally
        {
            listener.Stop();
        }
    }

    private static async Task<Socket> AcceptAsync(TcpListener listener)
    {
        using var timeout = new CancellationTokenSource(Patience);
        return await listener.AcceptSocketAsync(timeout.Token);
    }

    private static async Task<(int Frames, bool Closed)> FuzzOneAsync(Socket socket, int i)
    {
        var random = new Random(i);
        if (i % 5 == 0)
        {
            var greeting = FrameMutator.Mutate(FrameMutator.GoldenFrame("Greeting"), random);
            return (1, await SocketFrames.SendCloseAndDrainAsync(socket, greeting, Patience));
        }
        await socket.SendAsync(SocketFrames.Encode(new Greeting(ProtocolLimits.CurrentVersion, "fake", RandomNumberGenerator.GetBytes(16), false)));
        await using (var stream = new NetworkStream(socket, ownsSocket: false))
        {
            Assert.That(await SocketFrames.ReadFrameAsync(stream, Patience), Is.TypeOf<Hello>());
        }
        if (i % 5 == 1)
        {
            var answer = FrameMutator.Mutate(FrameMutator.GoldenFrame(random.Next(2) == 0 ? "Welcome" : "Reject"), random);
            return (2, await SocketFrames.SendCloseAndDrainAsync(socket, answer, Patience));
        }
        var frames = new List<byte[]> { SocketFrames.Encode(new Welcome("fake", 5000)) };
        for (var f = 0; f < FramesAfterWelcome; f++)
        {
            var golden = FrameMutator.FromDistributorInSession[random.Next(FrameMutator.FromDistributorInSession.Count)];
            frames.Add(random.Next(3) == 0 ? golden : FrameMutator.Mutate(golden, random));
        }
        return (1 + frames.Count, await SocketFrames.SendCloseAndDrainAsync(socket, [.. frames.SelectMany(f => f)], Patience));
    }
}
