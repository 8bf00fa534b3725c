using MessagePack;
using MessagePack.Formatters;
using Reactor.Protocol.Messages;

namespace Reactor.Protocol.Framing;

/// <summary>
/// <see cref="DispatchBatch.Jobs"/>: an array of Dispatch bodies, each written and read by
/// <see cref="DispatchFormatter"/>. Reading checks what the envelope check does for a lone Dispatch (at
/// least its nine required fields, before the formatter would fill missing ones with defaults) and
/// holds the count to <see cref="ProtocolLimits.MaxCollectionLength"/> before anything is allocated.
/// </summary>
internal sealed class DispatchListFormatter(DispatchFormatter dispatch, ProtocolLimits limits) : IMessagePackFormatter<IReadOnlyList<Dispatch>?>
{
    /// <summary>The fields a Dispatch must have (protocol.md section 5).</summary>
    private const int RequiredFields = 9;

    public void Serialize(ref MessagePackWriter writer, IReadOnlyList<Dispatch>? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }
        writer.WriteArrayHeader(value.Count);
        foreach (var job in value)
        {
            dispatch.Serialize(ref writer, job, options);
        }
    }

    public IReadOnlyList<Dispatch>? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return null;
        }
        var count = reader.ReadArrayHeader();
        if (count > limits.MaxCollectionLength)
        {
            throw new InvalidDataException($"a collection of {count} entries exceeds the limit of {limits.MaxCollectionLength}");
        }
        var jobs = new Dispatch[count];
        for (var i = 0; i < count; i++)
        {
            var peek = reader.CreatePeekReader();
            if (peek.NextMessagePackType != MessagePackType.Array || peek.ReadArrayHeader() < RequiredFields)
            {
                throw new InvalidDataException(
                    $"malformed message: DispatchBatch.Jobs[{i}] is not a Dispatch of at least {RequiredFields} fields");
            }
            jobs[i] = dispatch.Deserialize(ref reader, options)!;
        }
        return jobs;
    }
}
