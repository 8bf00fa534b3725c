using System.Text.Json;
using StackExchange.Redis;

namespace Reactor.Storage.Redis;

// The "attempts" field: the record's failed-attempt history as one JSON array (layout on RedisKeys).
// It is diagnostic only, so a damaged value reads as an empty history instead of making the job
// unreadable (which would stop it from running).
internal static partial class RedisRecordFormat
{
    private static string WriteAttempts(IReadOnlyList<JobAttemptError> attempts)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var a in attempts)
            {
                json.WriteStartObject();
                json.WriteNumber("a", a.Attempt);
                json.WriteNumber("t", a.At.ToUnixTimeMilliseconds());
                json.WriteString("e", a.Error);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static IReadOnlyList<JobAttemptError> Attempts(Dictionary<string, RedisValue> fields)
    {
        if (!fields.TryGetValue("attempts", out var value) || value.IsNullOrEmpty)
        {
            return [];
        }
        try
        {
            using var doc = JsonDocument.Parse(value.ToString());
            var list = new List<JobAttemptError>();
            foreach (var item in doc.RootElement.EnumerateArray())
            {
                list.Add(new JobAttemptError(
                    item.GetProperty("a").GetInt32(),
                    DateTimeOffset.FromUnixTimeMilliseconds(item.GetProperty("t").GetInt64()),
                    item.GetProperty("e").GetString() ?? ""));
            }
            return list;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException or ArgumentOutOfRangeException)
        {
            return [];
        }
    }
}
