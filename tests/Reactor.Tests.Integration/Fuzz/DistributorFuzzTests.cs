using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using NUnit.Framework;
using Reactor.Protocol;
using Reactor.Protocol.Messages;
using Reactor.Tests.Integration.Support;

namespace Reactor.Tests.Integration.Fuzz;

/// <summary>
/// Fake nodes feed the real distributor mutations of the golden frames over loopback TCP, while a real
/// node process stays connected. Every connection must end with one logged reason, its session must
/// leave, memory must come back, no task exception may go unobserved, and real jobs must still run.
/// </summary>
[TestFixture]
[CancelAfter(240_000)]
public sealed class DistributorFuzzTests
{
    private const int Connections = 5_000;
    private const int Warmup = 200;
    private const int Parallel = 8;
    private const int FramesAfterHello = 12;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    // NodeSession event ids (NodeSession.Log.cs): each connection ends with exactly one of these.
    private const int Joined = 200, Refused = 201, Violation = 202, Lost = 203, HandshakeTimeout = 204, Left = 205, Unexpected = 210;

    [Test]
    public async Task Mutated_frames_from_fake_nodes_close_only_their_connection_and_sessions_memory_and_service_recover()
    {
        using var unobserved = new UnobservedExceptions();
        using var logs = new CountingLogs();
        await using var distributor = new ReactorDistributor(
            new DistributorOptions { Port = 0, HandshakeTimeout = TimeSpan.FromSeconds(20), PendingTimeout = TimeSpan.FromSeconds(2) },
            logs.Factory);
        await distributor.StartAsync();
        await using var node = NodeProcess.Start("real", $"127.0.0.1:{distributor.Port}", Cluster.JobsDirectory,
            "--log-job-processing", "false", "--log-level", "Warning");
        await distributor.WaitForNodesAsync(1).WaitAsync(Patience);
        var endings = new[] { Refused, Violation, Lost, HandshakeTimeout, Left, Unexpected };

        // A first round JITs every path and fills the pools, so the baseline is the steady state.
        await AttackAsync(distributor.Port, 0, Warmup);
        Assert.That(await Wait.UntilAsync(() => distributor.SessionCount == 1, Patience), Is.True, "warm-up sessions left");
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        var clock = Stopwatch.StartNew();

        var frames = await AttackAsync(distributor.Port, Warmup, Connections);

        var sessionsBack = await Wait.UntilAsync(() => distributor.SessionCount == 1, Patience);
        var endedAll = await Wait.UntilAsync(() => logs.Count(endings) >= Warmup + Connections, Patience);
        var elapsed = clock.Elapsed;
        var after = GC.GetTotalMemory(forceFullCollection: true);
        TestContext.Out.WriteLine(
            $"{Connections} fuzzed connections, {frames} frames in {elapsed.TotalSeconds:F1} s; log counts by event id: {logs.Summary()}; " +
            $"managed heap {baseline / 1024} KiB before, {after / 1024} KiB after ({(after - baseline) / 1024:+#;-#;0} KiB)");

        Assert.That(sessionsBack, Is.True, $"sessions back to the real node's one; still {distributor.SessionCount}");
        Assert.That(endedAll, Is.True, "every connection logged why it ended");
        Assert.That(logs.Count(endings), Is.EqualTo(Warmup + Connections), "exactly one ending per connection");
        Assert.That(logs.Count(Unexpected), Is.Zero, "every decode error was a protocol violation:\n" + string.Join("\n", logs.Recent.TakeLast(20)));
        Assert.That(logs.Count(Violation), Is.GreaterThan(Connections / 2), "the mutations reached the decoder");
        Assert.That(logs.Count(Joined), Is.GreaterThan(Connections / 2), "most fake nodes got past the handshake");
        Assert.That(after - baseline, Is.LessThan(2 * 1024 * 1024), "memory returned near its baseline");
        Assert.That(distributor.ConnectedNodes, Is.EqualTo(new[] { "real" }));
        await AssertServesRealJobsAsync(distributor);
        Assert.That(unobserved.Collect(), Is.Empty, "no task exception went unobserved");
    }

    private static async Task AssertServesRealJobsAsync(ReactorDistributor distributor)
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 100)
            .Select(i => distributor.EnqueueAsync("add", new { a = i, b = 1 }))).WaitAsync(Patience);
        Assert.That(results.Select(r => r.Args.Get<long>("sum")), Is.EqualTo(Enumerable.Range(1, 100).Select(i => (long)i)));
        Assert.That(distributor.InFlightCount, Is.Zero);
        Assert.That(distributor.FeedbackCount, Is.Zero);
    }

    /// <summary>Connections <paramref name="first"/> to first + count - 1, <see cref="Parallel"/> at a time; returns the frames sent.</summary>
    private static async Task<int> AttackAsync(int port, int first, int count)
    {
        var next = first - 1;
        var frames = 0;
        var failures = new List<string>();
        await Task.WhenAll(Enumerable.Range(0, Parallel).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < first + count)
            {
                var (sent, closed) = await OneConnectionAsync(port, i);
                Interlocked.Add(ref frames, sent);
                if (!closed)
                {
                    lock (failures)
                    {
                        failures.Add($"connection {i} was not closed by the distributor");
                    }
                }
            }
        })));
        Assert.That(failures, Is.Empty);
        return frames;
    }

    private static async Task<(int Frames, bool Closed)> OneConnectionAsync(int port, int i)
    {
        var random = new Random(i);
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, port);
        var frames = new List<byte[]>();
        if (i % 4 == 0)
        {
            frames.Add(FrameMutator.Mutate(FrameMutator.GoldenFrame("Hello"), random));
        }
        else
        {
            // A valid Hello first, so the mutated session frames reach a joined session's read loop.
            frames.Add(SocketFrames.Encode(new Hello(ProtocolLimits.CurrentVersion, $"fuzz_{i}", 4, ["report"], "memory", null)));
            for (var f = 0; f < FramesAfterHello; f++)
            {
                var golden = FrameMutator.FromNode[1 + random.Next(FrameMutator.FromNode.Count - 1)];
                frames.Add(random.Next(3) == 0 ? golden : FrameMutator.Mutate(golden, random));
            }
        }
        var closed = await SocketFrames.SendCloseAndDrainAsync(socket, [.. frames.SelectMany(f => f)], Patience);
        return (frames.Count, closed);
    }
}
