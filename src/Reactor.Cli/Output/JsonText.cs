using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Reactor.Cli.Output;

/// <summary>
/// Writes job args (and other values the REPL prints) as JSON, the most familiar notation for nested
/// maps and lists. Never throws for an unexpected value type: what JSON cannot hold becomes a string.
/// </summary>
internal static class JsonText
{
    // Args from storage are bounded by the protocol's depth limit; a value built at the REPL may be
    // cyclic, and this bound keeps that from recursing forever.
    private const int MaxDepth = 32;
    private const int MaxBytesShown = 64;

    public static string Write(object? value, bool indented)
    {
        var output = new ArrayBufferWriter<byte>();
        var options = new JsonWriterOptions
        {
            Indented = indented,
            // Names and addresses stay readable (é, not \u00E9); control characters are still escaped,
            // so a value cannot send escape sequences to the terminal.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            NewLine = "\n",
        };
        using (var writer = new Utf8JsonWriter(output, options))
        {
            WriteValue(writer, value, 0);
        }
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    private static void WriteValue(Utf8JsonWriter writer, object? value, int depth)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string s:
                writer.WriteStringValue(s);
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case byte or sbyte or short or ushort or int or uint or long:
                writer.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
            case ulong u:
                writer.WriteNumberValue(u);
                break;
            case float or double when double.IsFinite(Convert.ToDouble(value, CultureInfo.InvariantCulture)):
                writer.WriteNumberValue(Convert.ToDouble(value, CultureInfo.InvariantCulture));
                break;
            case decimal m:
                writer.WriteNumberValue(m);
                break;
            case byte[] bytes:
                writer.WriteStringValue(Bytes(bytes));
                break;
            case DateTimeOffset or DateTime:
                writer.WriteStringValue(((IFormattable)value).ToString("O", CultureInfo.InvariantCulture));
                break;
            case IEnumerable when depth >= MaxDepth:
                writer.WriteStringValue("...");
                break;
            case JobArgs args:
                WriteObject(writer, args.Select(kv => (kv.Key, kv.Value)), depth);
                break;
            case IDictionary dictionary:
                WriteObject(writer, Entries(dictionary).Select(e => (Text(e.Key), e.Value)), depth);
                break;
            case IEnumerable items:
                writer.WriteStartArray();
                foreach (var item in items)
                {
                    WriteValue(writer, item, depth + 1);
                }
                writer.WriteEndArray();
                break;
            default:
                writer.WriteStringValue(Text(value));
                break;
        }
    }

    /// <summary>
    /// The entries of any dictionary. Not <c>Cast&lt;DictionaryEntry&gt;()</c>: a generic dictionary
    /// enumerates KeyValuePairs; only its IDictionaryEnumerator yields DictionaryEntry.
    /// </summary>
    public static IEnumerable<(object Key, object? Value)> Entries(IDictionary dictionary)
    {
        var entries = dictionary.GetEnumerator();
        while (entries.MoveNext())
        {
            yield return (entries.Key, entries.Value);
        }
    }

    private static void WriteObject(Utf8JsonWriter writer, IEnumerable<(string Key, object? Value)> entries, int depth)
    {
        writer.WriteStartObject();
        foreach (var (key, value) in entries)
        {
            writer.WritePropertyName(key);
            WriteValue(writer, value, depth + 1);
        }
        writer.WriteEndObject();
    }

    private static string Bytes(byte[] bytes) => bytes.Length <= MaxBytesShown
        ? $"0x{Convert.ToHexString(bytes)}"
        : $"0x{Convert.ToHexString(bytes, 0, MaxBytesShown)}... ({bytes.Length} bytes)";

    private static string Text(object? value) => value switch
    {
        null => "null",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
