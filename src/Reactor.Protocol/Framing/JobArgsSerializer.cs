using System.Buffers;
using MessagePack;
using MessagePack.Resolvers;

namespace Reactor.Protocol.Framing;

/// <summary>
/// Job args as standalone MessagePack bytes, for storage. Stored bytes are read with the same
/// limits as bytes from a peer (<see cref="ProtocolLimits.Default"/>): whoever can write to the
/// store must not be able to do more than a peer could.
/// </summary>
public static class JobArgsSerializer
{
    private static readonly ProtocolLimits Limits = ProtocolLimits.Default;
    private static readonly JobArgsFormatter Formatter = new(Limits);
    private static readonly MessagePackSerializerOptions Options = MessagePackSerializerOptions.Standard
        .WithResolver(CompositeResolver.Create([Formatter], [StandardResolver.Instance]))
        .WithSecurity(MessagePackSecurity.UntrustedData.WithMaximumObjectGraphDepth(Limits.MaxDepth + 4));

    /// <summary>
    /// Encodes <paramref name="args"/> as a MessagePack map. Throws <see cref="ArgumentException"/>
    /// naming the key of a value that args may not hold.
    /// </summary>
    public static byte[] Serialize(JobArgs args)
    {
        var output = new ArrayBufferWriter<byte>();
        Serialize(args, output);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Encodes <paramref name="args"/> as a MessagePack map into <paramref name="output"/> (a reused buffer
    /// saves the intermediate allocations). Throws <see cref="ArgumentException"/> naming the key of a value
    /// that args may not hold.
    /// </summary>
    public static void Serialize(JobArgs args, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        var writer = new MessagePackWriter(output);
        Formatter.Serialize(ref writer, args, Options);
        writer.Flush();
    }

    /// <summary>
    /// Decodes bytes written by <see cref="Serialize(JobArgs)"/>. Throws <see cref="InvalidDataException"/> for
    /// bytes that are not exactly one args map within the protocol limits.
    /// </summary>
    public static JobArgs Deserialize(ReadOnlyMemory<byte> bytes)
    {
        // A frame could never have carried more, so anything larger is damage, not data.
        if (bytes.Length > Limits.MaxFrameBytes)
        {
            throw new InvalidDataException($"stored job args of {bytes.Length} bytes exceed the limit of {Limits.MaxFrameBytes}");
        }
        var reader = new MessagePackReader(bytes);
        JobArgs args;
        try
        {
            args = Formatter.Deserialize(ref reader, Options);
        }
        catch (MessagePackSerializationException e)
        {
            throw new InvalidDataException("malformed job args: " + e.Message, e);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("malformed job args: they claim more data than is stored", e);
        }
        catch (OverflowException e)
        {
            throw new InvalidDataException("malformed job args: " + e.Message, e);
        }
        if (!reader.End)
        {
            throw new InvalidDataException($"{bytes.Length - reader.Consumed} stray bytes after the job args");
        }
        return args;
    }
}
