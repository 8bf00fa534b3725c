using System.Text.Json;
using System.Text.Json.Serialization;

namespace Reactor;

/// <summary>
/// The JSON form of a <see cref="DistributorSnapshot"/>, and where a distributor with a Redis journal
/// publishes it: <c>{prefix}:dist:{name}:snapshot</c>, rewritten every 5 s with a 15 s expiry, so a
/// key that is gone means the distributor is not running (or lost Redis). This is how
/// <c>reactor monitor nodes</c> sees a distributor that lives inside another process.
/// </summary>
public static class DistributorSnapshotJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>The Redis key of the snapshot of distributor <paramref name="name"/> under <paramref name="prefix"/>.</summary>
    public static string Key(string prefix, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        ArgumentException.ThrowIfNullOrEmpty(name);
        // Escaped as the journal escapes its own keys, so every key of one distributor shares one segment.
        return $"{prefix}:dist:{Uri.EscapeDataString(name)}:snapshot";
    }

    /// <summary>The snapshot as one JSON object (camelCase names, outcomes as strings).</summary>
    public static string Serialize(DistributorSnapshot snapshot) => JsonSerializer.Serialize(snapshot, Options);

    /// <summary>Reads what <see cref="Serialize"/> wrote; throws <see cref="JsonException"/> for anything else.</summary>
    public static DistributorSnapshot Deserialize(string json) =>
        JsonSerializer.Deserialize<DistributorSnapshot>(json, Options) ?? throw new JsonException("the snapshot is null");
}
