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
    public async Task<IReactorMessage> HelloAsync(int version, string name, params string[] jobs)
    {
        await SendAsync(new Hello(version, name, 10, jobs, "memory", null));
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

    public async Task<IReactorMessage> ReadAsync(TimeSpan timeout)
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
