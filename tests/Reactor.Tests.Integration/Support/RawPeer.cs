using System.Buffers;
using System.Net.Sockets;
using MessagePack;
using Reactor.Protocol;
using Reactor.Protocol.Framing;
using Reactor.Protocol.Messages;

namespace Reactor.Tests.Integration.Support;

/// <summary>A hand-driven TCP peer for feeding the distributor bytes no real node would send.</summary>
internal sealed class RawPeer : IAsyncDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private readonly MessageCodec _codec = new();

    private RawPeer(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
    }

    public Greeting? Greeting { get; private set; }

    public static async Task<RawPeer> ConnectAsync(int port, bool readGreeting = true)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync("127.0.0.1", port);
        var peer = new RawPeer(client);
        if (readGreeting)
        {
            peer.Greeting = (Greeting)await peer.ReadAsync(TimeSpan.FromSeconds(10));
        }
        return peer;
    }

    /// <summary>Completes the handshake as a node called <paramref name="name"/> that knows <paramref name="jobs"/>.</summary>
    public Task<IReactorMessage> HelloAsync(string name, params string[] jobs) => HelloAsync(ProtocolLimits.CurrentVersion, name, jobs);

    /// <summary>The handshake as a node that speaks protocol <paramref name="version"/>.</summary>
    public Task<IReactorMessage> HelloAsync(int version, string name, params string[] jobs) => HelloAsync(version, name, 10, jobs);

    /// <summary>The handshake as a node that speaks protocol <paramref name="version"/> and takes <paramref name="capacity"/> jobs at once.</summary>
    public async Task<IReactorMessage> HelloAsync(int version, string name, int capacity, params string[] jobs)
    {
        await SendAsync(new Hello(version, name, capacity, jobs, "memory", null));
        return await ReadAsync(TimeSpan.FromSeconds(10));
    }

    public Task SendAsync(IReactorMessage message) => SendRawAsync(_codec.EncodeFrame(message));

    public async Task SendRawAsync(byte[] bytes)
    {
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    /// <summary>A frame whose body is whatever <paramref name="write"/> puts there.</summary>
    public delegate void BodyWriter(ref MessagePackWriter writer);

    public static byte[] Frame(BodyWriter write)
    {
        var body = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(body);
        write(ref writer);
        writer.Flush();
        return Frame(body.WrittenSpan.ToArray());
    }

    public static byte[] Frame(byte[] body)
    {
        var frame = new byte[4 + body.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)body.Length);
        body.CopyTo(frame, 4);
        return frame;
    }

    /// <summary>
    /// The next message, with a DispatchBatch read as the Dispatch messages it carries, one per call (what
    /// most tests mean: the jobs, however they were framed). <see cref="ReadFrameAsync"/> sees the frames.
    /// </summary>
    public async Task<IReactorMessage> ReadAsync(TimeSpan timeout)
    {
        if (_unpacked.TryDequeue(out var queued))
        {
            return queued;
        }
        var message = await ReadFrameAsync(timeout);
        if (message is not DispatchBatch batch)
        {
            return message;
        }
        foreach (var job in batch.Jobs.Skip(1))
        {
            _unpacked.Enqueue(job);
        }
        return batch.Jobs[0];
    }

    private readonly Queue<IReactorMessage> _unpacked = new();

    /// <summary>The next frame's message, exactly as it came.</summary>
    public async Task<IReactorMessage> ReadFrameAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var header = new byte[4];
        await _stream.ReadExactlyAsync(header, cts.Token);
        var length = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(header);
        var body = new byte[length];
        await _stream.ReadExactlyAsync(body, cts.Token);
        return _codec.Decode(new ReadOnlySequence<byte>(body));
    }

    /// <summary>True when the distributor closes the connection within <paramref name="timeout"/> (anything it sends first is skipped).</summary>
    public async Task<bool> ClosedByPeerAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var buffer = new byte[4096];
        try
        {
            while (await _stream.ReadAsync(buffer, cts.Token) > 0)
            {
            }
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    public void Close() => _client.Close();

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
