using System.Net.Sockets;
using Reactor.Protocol.Framing;
using Reactor.Protocol.Messages;

namespace Reactor.Transport;

/// <summary>
/// One end of a distributor–node link, the same on both sides: the socket, TLS when configured, the
/// framed connection (one write loop), handshake reads under a <see cref="TimeProvider"/> deadline, and
/// (in <see cref="ServeAsync"/>) the one read loop with heartbeats and liveness. What the messages mean
/// is the caller's: the distributor's <c>NodeSession</c> and the node's <c>DistributorLink</c> each
/// hand it only their own message handling.
/// </summary>
/// <remarks>
/// Threads: the read loop runs on the task that awaits <see cref="ServeAsync"/> (the pool), the write
/// loop on its own pool task inside <see cref="FramedConnection"/>, and the heartbeat on the
/// <see cref="TimeProvider"/>'s timer. <see cref="Send"/> is safe from any thread and never blocks.
/// </remarks>
internal sealed partial class PeerConnection : IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly FramedConnection _framed;
    private readonly TimeProvider _time;
    private long _lastReceived;

    private PeerConnection(Stream stream, FramedConnection framed, TimeProvider time)
    {
        _stream = stream;
        _framed = framed;
        _time = time;
        Touch();
    }

    /// <summary>Cancelled once the connection is closed from either side.</summary>
    public CancellationToken Closed => _framed.Closed;

    /// <summary>When the last frame of any kind arrived (heartbeats included).</summary>
    public DateTimeOffset LastReceived => _time.GetUtcNow() - _time.GetElapsedTime(Volatile.Read(ref _lastReceived));

    /// <summary>
    /// Takes over a connected <paramref name="socket"/> (disposed with this connection, or here if
    /// TLS fails), wraps it in TLS when <paramref name="tls"/> is given (within
    /// <paramref name="handshakeTimeout"/>), and starts the write loop. TLS failures throw
    /// <see cref="IOException"/> (see <see cref="LinkTls.AuthenticateAsync"/>). <paramref name="unsendable"/>
    /// is called on the write loop with a message that could not be encoded (see <see cref="FramedConnection.Unsendable"/>).
    /// </summary>
    public static async Task<PeerConnection> OpenAsync(Socket socket, LinkTls? tls, MessageCodec codec, TimeProvider time,
        TimeSpan handshakeTimeout, Action<IReactorMessage, Exception>? unsendable, CancellationToken stopping)
    {
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        if (tls is not null)
        {
            try
            {
                using var deadline = new HandshakeDeadline(handshakeTimeout, time, stopping);
                stream = await tls.AuthenticateAsync(stream, deadline, stopping).ConfigureAwait(false);
            }
            catch
            {
                await stream.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
        var framed = new FramedConnection(StreamDuplexPipe.From(stream), codec) { Unsendable = unsendable };
        framed.Start();
        return new PeerConnection(stream, framed, time);
    }

    /// <summary>
    /// Sends queued Dispatch messages in DispatchBatch frames from now on (<see cref="FramedConnection.BatchDispatches"/>):
    /// set once the peer agreed on a protocol version that has them.
    /// </summary>
    public bool BatchDispatches
    {
        get => _framed.BatchDispatches;
        set => _framed.BatchDispatches = value;
    }

    /// <summary>Queues a message for the write loop; false when the connection is already closed.</summary>
    public bool Send(IReactorMessage message) => _framed.Send(message);

    /// <summary>
    /// The next message of the handshake, or null when the peer closed cleanly. Throws
    /// <see cref="OperationCanceledException"/> when <paramref name="deadline"/> passes
    /// (<see cref="HandshakeDeadline.Expired"/>) or the caller stops, and <see cref="InvalidDataException"/>
    /// for a protocol violation.
    /// </summary>
    public async ValueTask<IReactorMessage?> ReceiveAsync(HandshakeDeadline deadline)
    {
        var message = await _framed.ReceiveAsync(deadline.Token).ConfigureAwait(false);
        Touch();
        return message;
    }

    /// <summary>Stops both directions at once; queued messages are dropped.</summary>
    public void Close() => _framed.Close();

    /// <summary>Lets queued messages go out (up to <paramref name="timeout"/>), then closes.</summary>
    public Task DrainAndCloseAsync(TimeSpan timeout) => _framed.DrainAndCloseAsync(timeout);

    public async ValueTask DisposeAsync()
    {
        await _framed.DisposeAsync().ConfigureAwait(false);
        await _stream.DisposeAsync().ConfigureAwait(false);
    }

    private void Touch() => Volatile.Write(ref _lastReceived, _time.GetTimestamp());
}
