using System.Globalization;
using System.Text.Json;
using StackExchange.Redis;

namespace Reactor.Storage.Discovery;

/// <summary>One live distributor as it announced itself: the address nodes dial, and until when the announcement holds.</summary>
/// <param name="Name">The distributor's name (<c>DistributorOptions.Name</c>), unique per application instance.</param>
/// <param name="Endpoint">Where nodes connect, <c>host:port</c>.</param>
/// <param name="Id">A token that changes with every start of the distributor, so a stopping instance withdraws only its own record.</param>
/// <param name="ExpiresAt">When the record stops counting unless renewed.</param>
public sealed record DistributorRecord(string Name, string Endpoint, string Id, DateTimeOffset ExpiresAt);

/// <summary>
/// The directory of live distributors in Redis that <c>reactor node --discover</c> reads: one hash,
/// <c>{prefix}:discovery</c>, field = distributor name, value = a JSON record
/// (<c>{"endpoint","id","expires"}</c>, expiry in Unix ms). A distributor renews its record well within
/// its TTL and removes it when it stops gracefully; a record not renewed (a killed instance) stops
/// counting at its expiry and is removed by a later reader. One key, so every operation is a
/// single-key command and works on Redis Cluster; nothing scans.
/// </summary>
public sealed class DistributorDirectory
{
    // Removes the field only while it still holds the caller's id: a restarted instance with the
    // same name may already have announced itself.
    private const string WithdrawScript = """
        local raw = redis.call('HGET', KEYS[1], ARGV[1])
        if raw and string.find(raw, ARGV[2], 1, true) then
          return redis.call('HDEL', KEYS[1], ARGV[1])
        end
        return 0
        """;

    /// <summary>How long after its expiry a record is left before a reader deletes it.</summary>
    private static readonly TimeSpan Grace = TimeSpan.FromMinutes(1);

    private readonly IDatabase _db;

    /// <summary>Reads and writes the directory under <paramref name="prefix"/> (default "reactor").</summary>
    public DistributorDirectory(IDatabase db, string prefix = "reactor")
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        _db = db;
        Key = $"{prefix}:discovery";
    }

    /// <summary>The hash holding the records.</summary>
    public RedisKey Key { get; }

    /// <summary>Writes (or renews) the record of a distributor.</summary>
    public Task AnnounceAsync(DistributorRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var json = JsonSerializer.Serialize(new Stored(record.Endpoint, record.Id, record.ExpiresAt.ToUnixTimeMilliseconds()));
        return _db.HashSetAsync(Key, record.Name, json);
    }

    /// <summary>Removes the record of <paramref name="name"/> if it is still the one with <paramref name="id"/>.</summary>
    public async Task<bool> WithdrawAsync(string name, string id) =>
        (int)await _db.ScriptEvaluateAsync(WithdrawScript, [Key], [name, "\"id\":" + JsonSerializer.Serialize(id)]).ConfigureAwait(false) == 1;

    /// <summary>
    /// The records that have not expired at <paramref name="now"/>, by name. Records that expired more
    /// than a minute ago and fields that are not a record are removed on the way.
    /// </summary>
    public async Task<IReadOnlyList<DistributorRecord>> LiveAsync(DateTimeOffset now)
    {
        var live = new List<DistributorRecord>();
        var dead = new List<RedisValue>();
        foreach (var entry in await _db.HashGetAllAsync(Key).ConfigureAwait(false))
        {
            if (TryRead(entry, out var record))
            {
                if (record.ExpiresAt > now)
                {
                    live.Add(record);
                }
                else if (record.ExpiresAt + Grace < now)
                {
                    dead.Add(entry.Name);
                }
            }
            else
            {
                dead.Add(entry.Name);
            }
        }
        if (dead.Count > 0)
        {
            await _db.HashDeleteAsync(Key, [.. dead]).ConfigureAwait(false);
        }
        return live;
    }

    private static bool TryRead(HashEntry entry, out DistributorRecord record)
    {
        record = null!;
        try
        {
            var stored = JsonSerializer.Deserialize<Stored>(entry.Value.ToString());
            if (stored is null || string.IsNullOrWhiteSpace(stored.Endpoint) || !stored.Endpoint.Contains(':', StringComparison.Ordinal))
            {
                return false;
            }
            record = new DistributorRecord(entry.Name.ToString(), stored.Endpoint, stored.Id ?? "",
                DateTimeOffset.FromUnixTimeMilliseconds(stored.Expires));
            return true;
        }
        catch (Exception e) when (e is JsonException or ArgumentOutOfRangeException)
        {
            return false;
        }
    }

    /// <summary>Formats an expiry for logs.</summary>
    public static string Describe(DateTimeOffset at) => at.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);

    private sealed record Stored(
        [property: System.Text.Json.Serialization.JsonPropertyName("endpoint")] string Endpoint,
        [property: System.Text.Json.Serialization.JsonPropertyName("id")] string? Id,
        [property: System.Text.Json.Serialization.JsonPropertyName("expires")] long Expires);
}
