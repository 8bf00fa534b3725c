using System.Buffers;
using System.IO.Pipelines;
using System.Threading.Channels;
using Reactor.Protocol.Messages;

namespace Reactor.Protocol.Framing;

/// <summary>
/// One peer link over a duplex pipe: <see cref="ReceiveAsync"/> yields whole messages, and
/// <see cref="Send"/> queues messages for the single write loop, which batches whatever is queued
/// into one flush. Knows nothing of sockets: the caller provides the pipe.
/// </summary>
public sealed partial class FramedConnection : IAsyncDisposable
{
    // Senders never wait: the number of queued messages is bounded by the protocol itself
    // (dispatches by the node's credit, results by the jobs that node holds).
    private readonly Channel<IReactorMessage> _outbox =
        Channel.CreateUnbounded<IReactorMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly IDuplexPipe _pipe;
    private readonly MessageCodec _codec;
    private readonly CancellationTokenSource _closed = new();
    private Task? _writeLoop;

    /// <summary>Wraps <paramref name="pipe"/>; call <see cref="Start"/> to begin writing.</summary>
    public FramedConnection(IDuplexPipe pipe, MessageCodec codec)
    {
        _pipe = pipe;
        _codec = codec;
    }

    /// <summary>Cancelled once the connection is closed from either side.</summary>
    public CancellationToken Closed => _closed.Token;

    /// <summary>Starts the write loop.</summary>
    public void Start() => _writeLoop ??= Task.Run(WriteLoopAsync);

    /// <summary>
    /// Called on the write loop with a message that could not be encoded (job code left a value in
    /// args that cannot be sent, or its frame would exceed <see cref="ProtocolLimits.MaxFrameBytes"/>).
    /// The message is skipped and the connection stays up; the
    /// handler may queue a replacement.
    /// </summary>
    public Action<IReactorMessage, Exception>? Unsendable { get; set; }

    /// <summary>Queues a message; false when the connection is already closed.</summary>
    public bool Send(IReactorMessage message) => _outbox.Writer.TryWrite(message);

    /// <summary>
    /// Returns the next message, or null when the peer closed cleanly between frames.
    /// Throws <see cref="InvalidDataException"/> for a protocol violation, including a stream
    /// that ends inside a frame.
    /// </summary>
    public async ValueTask<IReactorMessage?> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        // The handshake's path, a few frames per connection: a list per call costs nothing that matters.
        var one = new List<IReactorMessage>(1);
        return await ReadAsync(one, 1, cancellationToken).ConfigureAwait(false) ? one[0] : null;
    }

    /// <summary>
    /// Adds every complete frame that has arrived (at least one) to <paramref name="messages"/>, with
    /// one read of the pipe; false when the peer closed cleanly between frames. A busy link thus
    /// costs one read and one wake-up per batch instead of per frame. Same errors as <see cref="ReceiveAsync"/>.
    /// </summary>
    public ValueTask<bool> ReceiveManyAsync(List<IReactorMessage> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return ReadAsync(messages, int.MaxValue, cancellationToken);
    }

    /// <summary>The one read loop: adds up to <paramref name="max"/> whole frames (at least one) to <paramref name="messages"/>.</summary>
    private async ValueTask<bool> ReadAsync(List<IReactorMessage> messages, int max, CancellationToken cancellationToken)
    {
        var input = _pipe.Input;
        var start = messages.Count;
        while (true)
        {
            var read = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = read.Buffer;
            // Without a whole frame everything was examined, so the next read waits for new bytes
            // instead of spinning on a partial frame.
            var examined = read.Buffer.End;
            try
            {
                while (messages.Count - start < max && _codec.TryReadFrame(ref buffer, out var message))
                {
                    messages.Add(message);
                }
                if (messages.Count > start)
                {
                    if (messages.Count - start == max)
                    {
                        // Stopped at the limit: only the returned frames were examined, so frames behind
                        // them are readable at once, not after the peer's next write.
                        examined = buffer.Start;
                    }
                    return true;
                }
                if (read.IsCompleted || read.IsCanceled)
                {
                    if (!buffer.IsEmpty)
                    {
                        throw new InvalidDataException($"connection closed inside a frame ({buffer.Length} bytes unread)");
                    }
                    return false;
                }
            }
            finally
            {
                input.AdvanceTo(buffer.Start, examined);
            }
        }
    }

    /// <summary>Stops both directions. Queued messages not yet written are dropped.</summary>
    public void Close()
    {
        _outbox.Writer.TryComplete();
        try
        {
            _closed.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Lets queued messages go out (up to <paramref name="timeout"/>), then closes.</summary>
    public async Task DrainAndCloseAsync(TimeSpan timeout)
    {
        _outbox.Writer.TryComplete();
        if (_writeLoop is not null)
        {
            await Task.WhenAny(_writeLoop, Task.Delay(timeout)).ConfigureAwait(false);
        }
        Close();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Close();
        if (_writeLoop is not null)
        {
            await _writeLoop.ConfigureAwait(false);
        }
        await _pipe.Input.CompleteAsync().ConfigureAwait(false);
    }

    private bool TryWrite(PipeWriter output, IReactorMessage message, ArrayBufferWriter<byte> scratch)
    {
        try
        {
            // The body is encoded into scratch before anything reaches the pipe, so a failure
            // leaves no partial frame behind.
            _codec.WriteFrame(output, message, scratch);
            return true;
        }
        catch (Exception e) when (e is ArgumentException or MessagePack.MessagePackSerializationException or InvalidDataException)
        {
            Unsendable?.Invoke(message, e);
            return false;
        }
    }

    // One rare huge frame (a result near the limit) must not pin megabytes for the connection's life.
    private static ArrayBufferWriter<byte> Shrink(ArrayBufferWriter<byte> scratch) =>
        scratch.Capacity > 1024 * 1024 ? new ArrayBufferWriter<byte>(256) : scratch;

    private async Task WriteLoopAsync()
    {
        var output = _pipe.Output;
        var reader = _outbox.Reader;
        var scratch = new ArrayBufferWriter<byte>(256);
        try
        {
            while (await reader.WaitToReadAsync(_closed.Token).ConfigureAwait(false))
            {
                var pending = 0L;
                while (reader.TryRead(out var message))
                {
                    if (BatchDispatches && message is Dispatch first && reader.TryPeek(out var next) && next is Dispatch)
                    {
                        pending += WriteBatch(output, TakeBatch(first, reader), ref scratch);
                    }
                    else if (TryWrite(output, message, scratch))
                    {
                        pending += scratch.WrittenCount + MessageCodec.HeaderBytes;
                    }
                    scratch = Shrink(scratch);
                    if (pending >= 64 * 1024)
                    {
                        // Flush large batches as they form so one burst never holds the whole queue in memory.
                        await output.FlushAsync(_closed.Token).ConfigureAwait(false);
                        pending = 0;
                    }
                }
                var flush = await output.FlushAsync(_closed.Token).ConfigureAwait(false);
                if (flush.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The peer went away or the stream was torn down under us; the read side reports it.
        }
        finally
        {
            Close();
            await output.CompleteAsync().ConfigureAwait(false);
        }
    }
}
