using System.Buffers;
using NUnit.Framework;
using Reactor.Protocol.Framing;
using Reactor.Protocol.Messages;

namespace Reactor.Tests.Unit.Protocol;

public class FramedConnectionTests
{
    // Generous: these only bound a hang, they never measure speed.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static readonly MessageCodec Codec = new();

    private static byte[] AllSampleFrames() =>
        SampleMessages.All().SelectMany(sample => Codec.EncodeFrame(sample.Message)).ToArray();

    [Test]
    public async Task Stream_split_at_every_byte_boundary_yields_the_same_messages()
    {
        var stream = AllSampleFrames();
        var expected = SampleMessages.All().Select(sample => sample.Message).ToList();

        for (var split = 1; split < stream.Length; split++)
        {
            var pipe = new DuplexPipe();
            await using var connection = new FramedConnection(pipe, Codec);
            var received = ReceiveAllAsync(connection);

            await pipe.FromPeer.WriteAsync(stream.AsMemory(0, split));
            await pipe.FromPeer.WriteAsync(stream.AsMemory(split));
            await pipe.FromPeer.CompleteAsync();

            Assert.That(Structural.Diff(expected, await received.WaitAsync(Patience)), Is.Null, $"split at byte {split}");
        }
    }

    [Test]
    public async Task Stream_fed_one_byte_at_a_time_yields_the_same_messages()
    {
        var stream = AllSampleFrames();
        var pipe = new DuplexPipe();
        await using var connection = new FramedConnection(pipe, Codec);
        var received = ReceiveAllAsync(connection);

        for (var i = 0; i < stream.Length; i++)
        {
            await pipe.FromPeer.WriteAsync(stream.AsMemory(i, 1));
        }
        await pipe.FromPeer.CompleteAsync();

        var expected = SampleMessages.All().Select(sample => sample.Message).ToList();
        Assert.That(Structural.Diff(expected, await received.WaitAsync(Patience)), Is.Null);
    }

    [Test]
    public async Task Frames_that_arrive_in_one_write_are_all_returned_without_waiting_for_more_bytes()
    {
        var pipe = new DuplexPipe();
        await using var connection = new FramedConnection(pipe, Codec);

        // The peer stays open: a reader that marks the second buffered frame as examined would
        // wait for bytes that never come instead of returning it.
        await pipe.FromPeer.WriteAsync((byte[])[.. Codec.EncodeFrame(new Credit(1)), .. Codec.EncodeFrame(new Credit(2))]);

        Assert.That(await connection.ReceiveAsync().AsTask().WaitAsync(Patience), Is.EqualTo(new Credit(1)));
        Assert.That(await connection.ReceiveAsync().AsTask().WaitAsync(Patience), Is.EqualTo(new Credit(2)));
    }

    [Test]
    public async Task Peer_closing_between_frames_ends_the_stream_with_null()
    {
        var pipe = new DuplexPipe();
        await using var connection = new FramedConnection(pipe, Codec);

        await pipe.FromPeer.WriteAsync(Codec.EncodeFrame(Heartbeat.Instance));
        await pipe.FromPeer.CompleteAsync();

        Assert.That(await connection.ReceiveAsync().AsTask().WaitAsync(Patience), Is.EqualTo(Heartbeat.Instance));
        Assert.That(await connection.ReceiveAsync().AsTask().WaitAsync(Patience), Is.Null);
    }

    [Test]
    public async Task Sent_messages_reach_the_peer_as_frames_in_order()
    {
        var pipe = new DuplexPipe();
        await using var connection = new FramedConnection(pipe, Codec);
        connection.Start();

        var sent = SampleMessages.All().Select(sample => sample.Message).ToList();
        foreach (var message in sent)
        {
            Assert.That(connection.Send(message), Is.True);
        }

        var received = new List<IReactorMessage>();
        while (received.Count < sent.Count)
        {
            var read = await pipe.ToPeer.ReadAsync().AsTask().WaitAsync(Patience);
            var buffer = read.Buffer;
            while (Codec.TryReadFrame(ref buffer, out var message))
            {
                received.Add(message);
            }
            pipe.ToPeer.AdvanceTo(buffer.Start, buffer.End);
        }
        Assert.That(Structural.Diff(sent, received), Is.Null);
    }

    [Test]
    public async Task Send_after_close_is_refused()
    {
        var pipe = new DuplexPipe();
        await using var connection = new FramedConnection(pipe, Codec);
        connection.Start();

        connection.Close();

        Assert.That(connection.Send(Heartbeat.Instance), Is.False);
        Assert.That(connection.Closed.IsCancellationRequested, Is.True);
    }

    private static async Task<List<IReactorMessage>> ReceiveAllAsync(FramedConnection connection)
    {
        var messages = new List<IReactorMessage>();
        while (await connection.ReceiveAsync() is { } message)
        {
            messages.Add(message);
        }
        return messages;
    }
}
