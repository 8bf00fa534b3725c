using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using Reactor.Protocol;
using Reactor.Protocol.Framing;
using Reactor.Protocol.Messages;
using Reactor.Tests.Integration.Support;

namespace Reactor.Tests.Integration.Core;

/// <summary>
/// The node's side of the shared link component against a hand-driven distributor on real TCP: the
/// handshake limit is <see cref="NodeOptions.HandshakeTimeout"/> on the node's TimeProvider, and a
/// distributor that stops talking is dropped by the heartbeat.
/// </summary>
[TestFixture]
[CancelAfter(120_000)]
public sealed class NodeLinkTimeoutTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly MessageCodec Codec = new();

    private static NodeOptions Node(string name, int port, Action<NodeOptions>? configure = null)
    {
        var options = new NodeOptions { Name = name, LogJobProcessing = false, Jobs = j => j.Job("noop", _ => { }) };
        options.Distributors.Add($"127.0.0.1:{port}");
        configure?.Invoke(options);
        return options;
    }

    private static async Task<FramedConnection> AcceptAsync(TcpListener listener)
    {
        var socket = await listener.AcceptSocketAsync(new CancellationTokenSource(Patience).Token);
        var connection = new FramedConnection(StreamDuplexPipe.From(new NetworkStream(socket, ownsSocket: true)), Codec);
        connection.Start();
        return connection;
    }

    private static async Task<bool> ClosedByNodeAsync(FramedConnection connection)
    {
        using var patience = new CancellationTokenSource(Patience);
        try
        {
            while (await connection.ReceiveAsync(patience.Token) is not null)
            {
            }
            return true;
        }
        catch (IOException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [Test]
    public async Task A_distributor_that_never_welcomes_is_abandoned_when_the_HandshakeTimeout_passes_on_the_nodes_clock()
    {
        using var logs = new CountingLogs();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        // An hour of the node's clock: only the fake clock can make it pass during this test.
        await using var node = new ReactorNode(Node("patient", port, o => o.HandshakeTimeout = TimeSpan.FromHours(1)), logs.Factory, time);
        try
        {
            await node.StartAsync();
            await using var first = await AcceptAsync(listener);
            first.Send(new Greeting(ProtocolLimits.CurrentVersion, "quiet", new byte[16], false));
            Assert.That(await first.ReceiveAsync(new CancellationTokenSource(Patience).Token), Is.TypeOf<Hello>());

            // The node now waits for Welcome under its deadline; move its clock past it.
            time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
            Assert.That(await ClosedByNodeAsync(first), Is.True, "the node gave up on the handshake");

            // It dials again after its (fake-clock) reconnect delay.
            var second = listener.AcceptSocketAsync(new CancellationTokenSource(Patience).Token).AsTask();
            while (!second.IsCompleted)
            {
                time.Advance(TimeSpan.FromMilliseconds(100));
                await Task.WhenAny(second, Task.Delay(20));
            }
            (await second).Dispose();
            Assert.That(node.GetLinkStatus()[0].LastError, Does.Contain("timed out"));
        }
        finally
        {
            listener.Stop();
        }
    }

    [Test]
    public async Task A_handshake_within_the_HandshakeTimeout_on_the_nodes_clock_succeeds()
    {
        using var logs = new CountingLogs();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        await using var node = new ReactorNode(Node("patient", port, o => o.HandshakeTimeout = TimeSpan.FromHours(1)), logs.Factory, time);
        try
        {
            await node.StartAsync();
            await using var first = await AcceptAsync(listener);
            first.Send(new Greeting(ProtocolLimits.CurrentVersion, "slow", new byte[16], false));
            Assert.That(await first.ReceiveAsync(new CancellationTokenSource(Patience).Token), Is.TypeOf<Hello>());

            // 59 minutes of the node's clock: slow, but inside its limit (not the old fixed 10 s).
            time.Advance(TimeSpan.FromMinutes(59));
            first.Send(new Welcome("slow", 60_000));

            var deadline = DateTime.UtcNow + Patience;
            while (logs.Count(101) == 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }
            Assert.That(logs.Count(101), Is.EqualTo(1), "'Connected to distributor' was logged");
            Assert.That(node.GetLinkStatus()[0].Connected, Is.True);
        }
        finally
        {
            listener.Stop();
        }
    }

    [Test]
    public async Task A_distributor_that_goes_silent_is_dropped_by_the_nodes_heartbeat_and_dialled_again()
    {
        using var logs = new CountingLogs();
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        await using var node = new ReactorNode(Node("watchful", port, o => o.ReconnectDelay = TimeSpan.FromMilliseconds(10)), logs.Factory);
        try
        {
            await node.StartAsync();
            await using var first = await AcceptAsync(listener);
            first.Send(new Greeting(ProtocolLimits.CurrentVersion, "quiet", new byte[16], false));
            Assert.That(await first.ReceiveAsync(new CancellationTokenSource(Patience).Token), Is.TypeOf<Hello>());
            first.Send(new Welcome("quiet", 200));

            // From here the fake distributor reads (the node's heartbeats arrive) but never writes.
            Assert.That(await ClosedByNodeAsync(first), Is.True, "dropped after three silent heartbeat intervals");
            (await listener.AcceptSocketAsync(new CancellationTokenSource(Patience).Token)).Dispose();

            Assert.That(logs.Count(104), Is.EqualTo(1), "one 'silent for three heartbeats' line");
        }
        finally
        {
            listener.Stop();
        }
    }
}
