using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;
using Reactor.Protocol.Framing;
using Reactor.Protocol.Messages;

namespace Reactor.Tests.Integration.Support;

/// <summary>Frame-level helpers for fake peers on a raw socket.</summary>
internal static class SocketFrames
{
    private static readonly MessageCodec Codec = new();

    public static async Task<IReactorMessage> ReadFrameAsync(NetworkStream stream, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var header = new byte[4];
        await stream.ReadExactlyAsync(header, cts.Token);
        var body = new byte[BinaryPrimitives.ReadUInt32BigEndian(header)];
        await stream.ReadExactlyAsync(body, cts.Token);
        return Codec.Decode(new ReadOnlySequence<byte>(body));
    }

    /// <summary>Sends <paramref name="bytes"/>, half-closes, and reads until the peer closes too; true when it did in time.</summary>
    public static async Task<bool> SendCloseAndDrainAsync(Socket socket, byte[] bytes, TimeSpan timeout)
    {
        try
        {
            await socket.SendAsync(bytes);
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
            // The peer already closed on an earlier frame: exactly what a violation should do.
        }
        return await DrainAsync(socket, timeout);
    }

    public static async Task<bool> DrainAsync(Socket socket, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var buffer = new byte[16 * 1024];
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token) > 0)
            {
            }
            return true;
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public static byte[] Encode(IReactorMessage message) => Codec.EncodeFrame(message);
}
