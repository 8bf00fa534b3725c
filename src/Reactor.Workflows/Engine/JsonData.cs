using System.Collections;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Reactor.Workflows.Engine;

/// <summary>
/// Converts between the JSON the store, events and AMQP workers see and the plain values job args
/// carry (strings, numbers, booleans, lists, string-keyed maps).
/// </summary>
internal static class JsonData
{
    /// <summary>A payload given by the app (an anonymous object, a dictionary, JSON text or a node) as an object.</summary>
    public static JsonObject ToObject(object? value)
    {
        var node = value switch
        {
            null => new JsonObject(),
            string text => JsonNode.Parse(text),
            JsonNode n => n.DeepClone(),
            _ => ToNode(value),
        };
        return node as JsonObject ?? throw new ArgumentException("a workflow payload must be a JSON object (or an object/dictionary)", nameof(value));
    }

    /// <summary>Any arg value as JSON; maps and lists convert element by element.</summary>
    public static JsonNode? ToNode(object? value) => value switch
    {
        null => null,
        JsonNode n => n.DeepClone(),
        JobArgs args => new JsonObject(args.Select(kv => KeyValuePair.Create(kv.Key, ToNode(kv.Value)))),
        IEnumerable<KeyValuePair<string, object?>> pairs => new JsonObject(pairs.Select(kv => KeyValuePair.Create(kv.Key, ToNode(kv.Value)))),
        IDictionary map => new JsonObject(map.Cast<DictionaryEntry>().Select(e => KeyValuePair.Create(Convert.ToString(e.Key, CultureInfo.InvariantCulture)!, ToNode(e.Value)))),
        string or byte[] => JsonSerializer.SerializeToNode(value),
        IEnumerable list => new JsonArray([.. list.Cast<object?>().Select(ToNode)]),
        _ => JsonSerializer.SerializeToNode(value),
    };

    /// <summary>JSON as plain values for job args: objects become maps, arrays lists, integers long.</summary>
    public static object? ToPlain(JsonNode? node) => node switch
    {
        null => null,
        JsonObject o => o.ToDictionary(kv => kv.Key, kv => ToPlain(kv.Value), StringComparer.Ordinal),
        JsonArray a => a.Select(ToPlain).ToList(),
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => v.ToString(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number => v.TryGetValue<long>(out var l) ? l
                : long.TryParse(v.ToJsonString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) ? parsed
                : double.Parse(v.ToJsonString(), CultureInfo.InvariantCulture),
            _ => null,
        },
        _ => null,
    };

    /// <summary>Copies every key of <paramref name="source"/> into <paramref name="target"/>, later keys winning.</summary>
    public static void MergeInto(JsonObject target, JsonObject? source)
    {
        if (source is null)
        {
            return;
        }
        foreach (var (key, value) in source)
        {
            target[key] = value?.DeepClone();
        }
    }

    public static JsonObject ParseObject(string? json) =>
        string.IsNullOrEmpty(json) ? new JsonObject() : JsonNode.Parse(json) as JsonObject ?? new JsonObject();
}
