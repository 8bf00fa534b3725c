using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Reactor.Dashboard.Html;

/// <summary>
/// Job args as indented JSON for display. Never throws: bytes show as their length and a base64 start,
/// anything JSON cannot hold becomes a string, depth is bounded.
/// </summary>
internal static class JsonView
{
    private const int MaxDepth = 32;
    private const int BytesShown = 48;

    public static string Write(object? value, bool indented = true)
    {
        var output = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(output, new JsonWriterOptions
        {
            Indented = indented,
            // Readable text; the page HTML-encodes the whole output anyway.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            NewLine = "\n",
        }))
        {
            Value(writer, value, 0);
        }
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    private static void Value(Utf8JsonWriter writer, object? value, int depth)
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
            case byte[] bytes:
                var shown = Convert.ToBase64String(bytes, 0, Math.Min(bytes.Length, BytesShown));
                writer.WriteStringValue($"<{bytes.Length} bytes, base64: {shown}{(bytes.Length > BytesShown ? "…" : "")}>");
                break;
            case long or int or short or sbyte or byte or ushort or uint:
                writer.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
            case ulong u:
                writer.WriteNumberValue(u);
                break;
            case double d when double.IsFinite(d):
                writer.WriteNumberValue(d);
                break;
            case float f when float.IsFinite(f):
                writer.WriteNumberValue(f);
                break;
            case decimal m:
                writer.WriteNumberValue(m);
                break;
            case DateTime or DateTimeOffset:
                writer.WriteStringValue(((IFormattable)value).ToString("O", CultureInfo.InvariantCulture));
                break;
            case IDictionary map when depth < MaxDepth:
                writer.WriteStartObject();
                foreach (DictionaryEntry entry in map)
                {
                    writer.WritePropertyName(Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? "null");
                    Value(writer, entry.Value, depth + 1);
                }
                writer.WriteEndObject();
                break;
            case IEnumerable<KeyValuePair<string, object?>> pairs when depth < MaxDepth:
                writer.WriteStartObject();
                foreach (var (key, item) in pairs)
                {
                    writer.WritePropertyName(key);
                    Value(writer, item, depth + 1);
                }
                writer.WriteEndObject();
                break;
            case IEnumerable list when depth < MaxDepth:
                writer.WriteStartArray();
                foreach (var item in list)
                {
                    Value(writer, item, depth + 1);
                }
                writer.WriteEndArray();
                break;
            default:
                writer.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }
}
