using MessagePack;
using MessagePack.Formatters;

namespace Reactor.Protocol.Framing;

/// <summary>
/// Reads string arrays (such as <c>Hello.JobNames</c>) under <see cref="ProtocolLimits.MaxCollectionLength"/>,
/// checked before the array is allocated, and refuses nil elements.
/// </summary>
internal sealed class StringArrayFormatter(ProtocolLimits limits) : IMessagePackFormatter<string[]?>
{
    public void Serialize(ref MessagePackWriter writer, string[]? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }
        writer.WriteArrayHeader(value.Length);
        foreach (var item in value)
        {
            writer.Write(item);
        }
    }

    public string[]? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
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
        var array = new string[count];
        for (var i = 0; i < count; i++)
        {
            array[i] = reader.ReadString() ?? throw new InvalidDataException($"nil instead of a string at index {i} of a string array");
        }
        return array;
    }
}
