using Reactor.Protocol.Messages;

namespace Reactor.Transport;

internal sealed partial class PeerConnection
{
    private TimeSpan _heartbeat;
    private int _silent;

    /// <summary>
    /// The read loop once the handshake is done: hands every message but heartbeats to
    /// <paramref name="handle"/>, one at a time and in order (a handler that awaits holds back the
    /// next message), sends a heartbeat every <paramref name="heartbeat"/>, and closes the connection
    /// when the peer has been silent for three of them. Returns why it ended; throws
    /// <see cref="InvalidDataException"/> for a protocol violation and
    /// <see cref="OperationCanceledException"/> when <paramref name="stopping"/> is cancelled.
    /// <paramref name="batchDone"/>, when given, runs after the messages of each read were handled (one batch
    /// of frames per pipe read), so a handler can answer a whole batch with one message.
    /// </summary>
    public async Task<LinkEnd> ServeAsync(TimeSpan heartbeat, Func<IReactorMessage, ValueTask> handle, CancellationToken stopping,
        Action? batchDone = null)
    {
        _heartbeat = heartbeat;
        Touch();
        using var timer = _time.CreateTimer(static state => ((PeerConnection)state!).Beat(), this, heartbeat, heartbeat);
        using var both = CancellationTokenSource.CreateLinkedTokenSource(stopping, _framed.Closed);
        try
        {
            var batch = new List<IReactorMessage>(64);
            while (await _framed.ReceiveManyAsync(batch, both.Token).ConfigureAwait(false))
            {
                Touch();
                foreach (var message in batch)
                {
                    // Liveness is this class's business: any frame counts, a heartbeat carries nothing else.
                    if (message is not Heartbeat)
                    {
                        await handle(message).ConfigureAwait(false);
                    }
                }
                batch.Clear();
                batchDone?.Invoke();
            }
            return LinkEnd.PeerClosed;
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            return Volatile.Read(ref _silent) != 0 ? LinkEnd.Silent : LinkEnd.Closed;
        }
    }

    private void Beat()
    {
        if (_time.GetElapsedTime(Volatile.Read(ref _lastReceived)) > _heartbeat * 3)
        {
            Volatile.Write(ref _silent, 1);
            Close();
            return;
        }
        Send(Heartbeat.Instance);
    }
}

/// <summary>Why <see cref="PeerConnection.ServeAsync"/> returned.</summary>
internal enum LinkEnd
{
    /// <summary>The peer closed the connection between frames.</summary>
    PeerClosed,
    /// <summary>Nothing arrived for three heartbeat intervals; the connection was closed.</summary>
    Silent,
    /// <summary>This side closed it (<see cref="PeerConnection.Close"/>, a failed write).</summary>
    Closed,
}
