using System.Buffers;
using System.Buffers.Binary;
using MessagePack;
using MessagePack.Formatters;
using MessagePack.Resolvers;
using Reactor.Protocol.Messages;

namespace Reactor.Protocol.Framing;

/// <summary>
/// Turns frames into messages and back. A frame is a 4-byte big-endian body length followed by
/// that many bytes of MessagePack holding one <see cref="IReactorMessage"/>.
/// </summary>
public sealed class MessageCodec
{
    /// <summary>Bytes in the length prefix.</summary>
    public const int HeaderBytes = 4;

    private readonly ProtocolLimits _limits;
    private readonly MessagePackSerializerOptions _options;
    private readonly IMessagePackFormatter<IReactorMessage> _formatter;
    private readonly JobArgsFormatter _argsFormatter;

    // One buffer per thread for encoding args at enqueue; only the exact bytes are kept.
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_argsScratch;

    private static readonly byte[] EmptyMap = [0x80];

    /// <summary>Creates a codec enforcing <paramref name="limits"/>.</summary>
    public MessageCodec(ProtocolLimits? limits = null)
    {
        _limits = limits ?? ProtocolLimits.Default;
        _argsFormatter = new JobArgsFormatter(_limits);
        var strings = new StringArrayFormatter(_limits);
        var dispatch = new DispatchFormatter(_argsFormatter);
        var resolver = CompositeResolver.Create(
            [_argsFormatter, dispatch, new DispatchListFormatter(dispatch, _limits), new ResultFormatter(_argsFormatter), strings, new PublishFormatter(_argsFormatter, strings)],
            [StandardResolver.Instance]);
        // UntrustedData bounds the object graph depth and hardens hashing; the resolver has no
        // Typeless or contractless fallback, so a peer can only produce the message types above.
        _options = MessagePackSerializerOptions.Standard
            .WithResolver(resolver)
            .WithSecurity(MessagePackSecurity.UntrustedData.WithMaximumObjectGraphDepth(_limits.MaxDepth + 4));
        _formatter = _options.Resolver.GetFormatterWithVerify<IReactorMessage>();
    }

    /// <summary>The limits this codec enforces.</summary>
    public ProtocolLimits Limits => _limits;

    /// <summary>
    /// Reads one frame from the front of <paramref name="buffer"/>. Returns false, leaving the
    /// buffer untouched, when the frame is not complete yet. Throws <see cref="InvalidDataException"/>
    /// for a frame that can never be valid; the length is checked before any body byte is awaited.
    /// </summary>
    public bool TryReadFrame(ref ReadOnlySequence<byte> buffer, out IReactorMessage message)
    {
        message = null!;
        if (buffer.Length < HeaderBytes)
        {
            return false;
        }
        var length = ReadLength(buffer);
        if (length == 0 || length > (uint)_limits.MaxFrameBytes)
        {
            throw new InvalidDataException(length == 0
                ? "empty frame (length 0)"
                : $"frame of {length} bytes exceeds the limit of {_limits.MaxFrameBytes}");
        }
        if (buffer.Length - HeaderBytes < length)
        {
            return false;
        }
        var body = buffer.Slice(HeaderBytes, length);
        message = Decode(body);
        buffer = buffer.Slice(body.End);
        return true;
    }

    /// <summary>Decodes one frame body (without its length prefix).</summary>
    public IReactorMessage Decode(ReadOnlySequence<byte> body)
    {
        var reader = new MessagePackReader(body);
        IReactorMessage? message;
        try
        {
            // The union formatter skips an unknown type code and returns null, and throws
            // InvalidOperationException for an envelope of the wrong length: check both first.
            MessageShape.CheckEnvelope(reader);
            message = _formatter.Deserialize(ref reader, _options);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("malformed message: it claims more data than the frame holds", e);
        }
        catch (Exception e) when (e is not InvalidDataException and not OutOfMemoryException)
        {
            // Whatever the reader or a formatter throws on bytes from a peer is that peer's fault, never
            // ours: an integer that overflows its field (OverflowException), a wrong MessagePack type
            // (MessagePackSerializationException), bad nesting (InsufficientExecutionStackException),
            // a malformed timestamp or string. All of them are one protocol violation, which closes this
            // connection only; an exception of another type would escape the read loop instead.
            var inner = Innermost(e);
            throw new InvalidDataException($"malformed message: {inner.Message} ({inner.GetType().Name})", e);
        }
        if (message is null)
        {
            throw new InvalidDataException("malformed message: nil instead of [type, body]");
        }
        if (!reader.End)
        {
            throw new InvalidDataException($"{reader.Sequence.Length - reader.Consumed} stray bytes after the message");
        }
        MessageShape.CheckFields(message);
        return message;
    }

    /// <summary>
    /// Writes one complete frame for <paramref name="message"/>, encoding it into <paramref name="scratch"/>
    /// first. Throws <see cref="InvalidDataException"/>, writing nothing to <paramref name="output"/>,
    /// when the body would exceed <see cref="ProtocolLimits.MaxFrameBytes"/> (the peer would refuse it).
    /// </summary>
    public void WriteFrame(IBufferWriter<byte> output, IReactorMessage message, ArrayBufferWriter<byte> scratch)
    {
        scratch.ResetWrittenCount();
        var writer = new MessagePackWriter(scratch);
        _formatter.Serialize(ref writer, message, _options);
        writer.Flush();
        // The peer drops a connection whose frame exceeds the limit, and the sender would resend the
        // same frame on the next one forever: refuse it here, before a byte reaches the output.
        if (scratch.WrittenCount > _limits.MaxFrameBytes)
        {
            throw new InvalidDataException(
                $"its frame would be {scratch.WrittenCount} bytes, over the frame limit of {_limits.MaxFrameBytes} bytes");
        }
        var header = output.GetSpan(HeaderBytes);
        BinaryPrimitives.WriteUInt32BigEndian(header, (uint)scratch.WrittenCount);
        output.Advance(HeaderBytes);
        output.Write(scratch.WrittenSpan);
    }

    /// <summary>Encodes one frame into a new array (tests, docs, tools).</summary>
    public byte[] EncodeFrame(IReactorMessage message)
    {
        var output = new ArrayBufferWriter<byte>();
        WriteFrame(output, message, new ArrayBufferWriter<byte>());
        return output.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Checks that <paramref name="args"/> can be sent, throwing <see cref="ArgumentException"/>
    /// naming the offending key otherwise, and returns the encoded size. Args are held to the
    /// limits the receiving peer enforces, including <see cref="ProtocolLimits.MaxFrameBytes"/>.
    /// </summary>
    public int ValidateArgs(JobArgs args) => EncodeArgs(args).Length;

    /// <summary>
    /// Encodes <paramref name="args"/> as the MessagePack map a frame carries, for
    /// <see cref="Dispatch.EncodedArgs"/>; throws <see cref="ArgumentException"/> naming the offending key.
    /// </summary>
    public byte[] EncodeArgs(JobArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Count == 0)
        {
            return EmptyMap;
        }
        var scratch = t_argsScratch ??= new ArrayBufferWriter<byte>(256);
        scratch.ResetWrittenCount();
        var writer = new MessagePackWriter(scratch);
        _argsFormatter.Serialize(ref writer, args, _options);
        writer.Flush();
        // A peer drops a connection whose frame is too large, and the job would be re-dispatched
        // to the next peer forever: refuse it here, where the caller can still report it.
        if (scratch.WrittenCount > _limits.MaxFrameBytes)
        {
            t_argsScratch = null;
            throw new ArgumentException(
                $"job args encode to {scratch.WrittenCount} bytes, more than the frame limit of {_limits.MaxFrameBytes}");
        }
        var encoded = scratch.WrittenSpan.ToArray();
        if (scratch.Capacity > 64 * 1024)
        {
            // A rare huge args map must not pin its buffer on this thread for good.
            t_argsScratch = null;
        }
        return encoded;
    }

    private static uint ReadLength(ReadOnlySequence<byte> buffer)
    {
        Span<byte> header = stackalloc byte[HeaderBytes];
        buffer.Slice(0, HeaderBytes).CopyTo(header);
        return BinaryPrimitives.ReadUInt32BigEndian(header);
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }
        return e;
    }
}
