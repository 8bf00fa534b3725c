using StackExchange.Redis;

namespace Reactor.Distributor.Uniqueness;

/// <summary>
/// Unique keys shared by every application instance on one Redis: <c>{prefix}:unique:{key}</c> holds the
/// holder's job id with a time to live of <c>UniqueFor</c>. Claiming is one script (read the holder or
/// set it), so two instances racing on one key never both win; releasing deletes the key only if the
/// releasing job still holds it.
/// </summary>
internal sealed class RedisUniqueKeys(IDatabase db, string prefix) : IUniqueKeys
{
    private const string ClaimScript = """
        local holder = redis.call('GET', KEYS[1])
        if holder then return holder end
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        return false
        """;

    private const string ReleaseScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
        return 0
        """;

    public string? Claim(string key, string jobId, TimeSpan ttl) =>
        Holder(db.ScriptEvaluate(ClaimScript, [Key(key)], [jobId, Milliseconds(ttl)]));

    public async Task<string?> ClaimAsync(string key, string jobId, TimeSpan ttl) =>
        Holder(await db.ScriptEvaluateAsync(ClaimScript, [Key(key)], [jobId, Milliseconds(ttl)]).ConfigureAwait(false));

    public void Release(string key, string jobId) =>
        // Fire and forget: a release Redis missed is covered by the key's time to live.
        _ = db.ScriptEvaluateAsync(ReleaseScript, [Key(key)], [jobId], CommandFlags.FireAndForget);

    private RedisKey Key(string key) => $"{prefix}:unique:{key}";

    private static long Milliseconds(TimeSpan ttl) => Math.Max(1, (long)ttl.TotalMilliseconds);

    private static string? Holder(RedisResult result) => result.IsNull ? null : (string?)result;
}
