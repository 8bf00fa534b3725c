using System.Collections;
using MessagePack;
using MessagePack.Formatters;

namespace Reactor.Protocol.Framing;

/// <summary>
/// Writes job args as a plain MessagePack map and reads them back into strings, numbers, byte arrays,
/// <see cref="List{T}"/> and string-keyed <see cref="Dictionary{TKey,TValue}"/>. Only this closed set of
/// types crosses the wire: nothing from a peer can name a .NET type to instantiate.
/// </summary>
internal sealed class JobArgsFormatter(ProtocolLimits limits) : IMessagePackFormatter<JobArgs?>
{
    // Args keys repeat from job to job; short ones are decoded once.
    private readonly Utf8StringCache _keys = new(capacity: 128, maxLength: 64);

    public void Serialize(ref MessagePackWriter writer, JobArgs? value, MessagePackSerializerOptions options)
    {
        if (value is null || value.Count == 0)
        {
            // No enumerator boxed for the common case of a job without args.
            writer.WriteMapHeader(0);
            return;
        }
        ArgsValueWriter.CheckLength(value.Count, "(args)", limits);
        writer.WriteMapHeader(value.Count);
        foreach (var (key, item) in value)
        {
            writer.Write(key);
            ArgsValueWriter.Write(ref writer, item, key, 1, limits);
        }
    }

    public JobArgs Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return new JobArgs();
        }
        var count = ReadMapHeader(ref reader);
        if (count == 0)
        {
            return new JobArgs();
        }
        var values = new Dictionary<string, object?>(count, StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var key = ReadKey(ref reader);
            values[key] = ReadValue(ref reader, 1);
        }
        return new JobArgs(values);
    }

    private object? ReadValue(ref MessagePackReader reader, int depth)
    {
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Nil:
                reader.ReadNil();
                return null;
            case MessagePackType.Boolean:
                return reader.ReadBoolean();
            case MessagePackType.Integer:
                return ReadInteger(ref reader);
            case MessagePackType.Float:
                // Boxed per branch: a plain conditional would widen the float to double.
                return reader.NextCode == MessagePackCode.Float32 ? (object)reader.ReadSingle() : reader.ReadDouble();
            case MessagePackType.String:
                return reader.ReadString();
            case MessagePackType.Binary:
                var bytes = reader.ReadBytes();
                return bytes.HasValue ? System.Buffers.BuffersExtensions.ToArray(bytes.Value) : null;
            case MessagePackType.Extension when IsTimestamp(reader):
                return reader.ReadDateTime();
            case MessagePackType.Array:
                return ReadList(ref reader, depth + 1);
            case MessagePackType.Map:
                return ReadMap(ref reader, depth + 1);
            default:
                throw new InvalidDataException($"job args hold an unsupported MessagePack value (code 0x{reader.NextCode:x2})");
        }
    }

    private static object ReadInteger(ref MessagePackReader reader)
    {
        // Non-negative values outside long's range are the only ones that need ulong.
        if (reader.NextCode == MessagePackCode.UInt64)
        {
            var big = reader.ReadUInt64();
            return big <= long.MaxValue ? (long)big : big;
        }
        var value = reader.ReadInt64();
        // Box explicitly: in a plain conditional the int branch would be widened back to long.
        return value is >= int.MinValue and <= int.MaxValue ? (object)(int)value : value;
    }

    private static bool IsTimestamp(MessagePackReader reader) =>
        reader.TryReadExtensionFormatHeader(out var header)
        && header.TypeCode == ReservedMessagePackExtensionTypeCode.DateTime;

    private List<object?> ReadList(ref MessagePackReader reader, int depth)
    {
        CheckDepth(depth);
        var count = reader.ReadArrayHeader();
        CheckLength(count);
        var list = new List<object?>(count);
        for (var i = 0; i < count; i++)
        {
            list.Add(ReadValue(ref reader, depth));
        }
        return list;
    }

    private Dictionary<string, object?> ReadMap(ref MessagePackReader reader, int depth)
    {
        CheckDepth(depth);
        var count = ReadMapHeader(ref reader);
        var map = new Dictionary<string, object?>(count, StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var key = ReadKey(ref reader);
            map[key] = ReadValue(ref reader, depth);
        }
        return map;
    }

    private int ReadMapHeader(ref MessagePackReader reader)
    {
        // ReadMapHeader itself refuses a count larger than the bytes left, so a claimed 2^31 entries
        // fails here before any allocation.
        var count = reader.ReadMapHeader();
        CheckLength(count);
        return count;
    }

    private string ReadKey(ref MessagePackReader reader) =>
        reader.NextMessagePackType == MessagePackType.String
            ? _keys.Read(ref reader)!
            : throw new InvalidDataException($"job args map keys must be strings (found {reader.NextMessagePackType})");

    private void CheckDepth(int depth)
    {
        if (depth > limits.MaxDepth)
        {
            throw new InvalidDataException($"job args nest deeper than {limits.MaxDepth} levels");
        }
    }

    private void CheckLength(int count)
    {
        if (count > limits.MaxCollectionLength)
        {
            throw new InvalidDataException($"a collection of {count} entries exceeds the limit of {limits.MaxCollectionLength}");
        }
    }
}

/// <summary>
/// Writes the closed set of arg value types; anything else is refused with the key that held it.
/// Depth and collection lengths are held to the same limits the receiving side enforces, so args
/// that pass here are never refused by the peer (which would drop the connection and re-dispatch).
/// </summary>
internal static class ArgsValueWriter
{
    // depth: how many lists and maps enclose the value, counting the args map itself.
    public static void Write(ref MessagePackWriter writer, object? value, string path, int depth, ProtocolLimits limits)
    {
        switch (value)
        {
            case null: writer.WriteNil(); break;
            case string s: writer.Write(s); break;
            case bool b: writer.Write(b); break;
            case int i: writer.Write(i); break;
            case long l: writer.Write(l); break;
            case double d: writer.Write(d); break;
            case float f: writer.Write(f); break;
            case byte u8: writer.Write(u8); break;
            case sbyte s8: writer.Write(s8); break;
            case short s16: writer.Write(s16); break;
            case ushort u16: writer.Write(u16); break;
            case uint u32: writer.Write(u32); break;
            case ulong u64: writer.Write(u64); break;
            case decimal m: writer.Write((double)m); break;
            case char c: writer.Write(c.ToString()); break;
            case byte[] bytes: writer.Write(bytes); break;
            case Guid g: writer.Write(g.ToString()); break;
            case Enum e: writer.Write(e.ToString()); break;
            case DateTime t: writer.Write(t.ToUniversalTime()); break;
            case DateTimeOffset o: writer.Write(o.UtcDateTime); break;
            case TimeSpan span: writer.Write(span.TotalMilliseconds); break;
            case JobArgs nested: WriteMap(ref writer, nested, path, depth, limits); break;
            case IDictionary map: WriteDictionary(ref writer, map, path, depth, limits); break;
            case IEnumerable<KeyValuePair<string, object?>> pairs: WriteMap(ref writer, pairs, path, depth, limits); break;
            case IEnumerable list: WriteList(ref writer, list, path, depth, limits); break;
            default:
                throw new ArgumentException(
                    $"job arg '{path}' is a {value.GetType().FullName}; args may hold only null, booleans, numbers, " +
                    "strings, byte arrays, Guid, DateTime, lists and string-keyed maps");
        }
    }

    public static void CheckLength(int count, string path, ProtocolLimits limits)
    {
        if (count > limits.MaxCollectionLength)
        {
            throw new ArgumentException(
                $"job arg '{path}' has {count} entries; a list or map may hold at most {limits.MaxCollectionLength}");
        }
    }

    private static void CheckDepth(string path, int depth, ProtocolLimits limits)
    {
        // A container enclosed by `depth` others sits at level depth + 1, the level the reader checks.
        // This also turns a list that contains itself into an error instead of a stack overflow.
        if (depth + 1 > limits.MaxDepth)
        {
            throw new ArgumentException($"job arg '{path}' nests lists and maps deeper than {limits.MaxDepth} levels (a cycle?)");
        }
    }

    private static void WriteMap(
        ref MessagePackWriter writer, IEnumerable<KeyValuePair<string, object?>> pairs, string path, int depth, ProtocolLimits limits)
    {
        CheckDepth(path, depth, limits);
        var items = pairs as ICollection<KeyValuePair<string, object?>> ?? pairs.ToList();
        CheckLength(items.Count, path, limits);
        writer.WriteMapHeader(items.Count);
        foreach (var (key, item) in items)
        {
            writer.Write(key);
            Write(ref writer, item, path + "." + key, depth + 1, limits);
        }
    }

    private static void WriteDictionary(ref MessagePackWriter writer, IDictionary map, string path, int depth, ProtocolLimits limits)
    {
        CheckDepth(path, depth, limits);
        CheckLength(map.Count, path, limits);
        writer.WriteMapHeader(map.Count);
        foreach (DictionaryEntry entry in map)
        {
            var key = entry.Key as string
                ?? throw new ArgumentException($"job arg '{path}' is a map with a {entry.Key.GetType().Name} key; keys must be strings");
            writer.Write(key);
            Write(ref writer, entry.Value, path + "." + key, depth + 1, limits);
        }
    }

    private static void WriteList(ref MessagePackWriter writer, IEnumerable list, string path, int depth, ProtocolLimits limits)
    {
        CheckDepth(path, depth, limits);
        var items = list as ICollection ?? list.Cast<object?>().ToList();
        CheckLength(items.Count, path, limits);
        writer.WriteArrayHeader(items.Count);
        var index = 0;
        foreach (var item in items)
        {
            Write(ref writer, item, $"{path}[{index++}]", depth + 1, limits);
        }
    }
}
