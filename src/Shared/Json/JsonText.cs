using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Reactor.Json;

/// <summary>
/// Job args and other values as JSON for people to read: the REPL and <c>reactor monitor</c> print it,
/// the dashboard shows it (HTML-encoding the whole text). One source file compiled into each project
/// that shows values (see the Compile item in Reactor.Cli.csproj and Reactor.Dashboard.csproj), so
/// no package has to depend on another for it.
/// Never throws for an unexpected value: bytes show as their length and a hex start, anything JSON
/// cannot hold becomes a string, and depth is bounded (a value built at the REPL may be cyclic).
/// </summary>
internal static class JsonText
{
    private const int MaxDepth = 32;
    private const int MaxBytesShown = 48;

    public static string Write(object? value, bool indented)
    {
        var output = new ArrayBufferWriter<byte>();
        var options = new JsonWriterOptions
        {
            Indented = indented,
            // Names stay readable (é, not \u00E9); control characters are still escaped, so a value
            // cannot send escape sequences to a terminal. Markup is left for a page to encode.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            NewLine = "\n",
        };
        using (var writer = new Utf8JsonWriter(output, options))
        {
            WriteValue(writer, value, 0);
        }
        return Encoding.UTF8.GetString(output.WrittenSpan);
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
            case IEnumerable<KeyValuePair<string, object?>> pairs:
                WriteObject(writer, pairs.Select(kv => (kv.Key, kv.Value)), depth);
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
