using System.Text.Json;
using Reactor.Distributor.Durability;
using StackExchange.Redis;

namespace Reactor.Distributor.Flows;

/// <summary>
/// Fork/join state in Redis, on the durable journal's connection. Keys (prefix "reactor"; <c>{name}</c>
/// is the distributor's hash tag, see <see cref="DistributorKeys"/>, so a claim, the journal entry it
/// writes and the scope's fired set share one Redis Cluster slot):
/// <c>{prefix}:flow:{{name}}:claim:{jobId}</c> the name a deterministic id was claimed for;
/// <c>{prefix}:flow:{{name}}:{scope}:events|order|triggers|payloads|fired</c> per scope, where a scope is
/// <c>run:{runId}</c> or <c>global</c>. All expire one retention after their last use.
/// <c>{prefix}:flow:{{name}}:scopes</c> is a sorted set of scope → last use (ms), kept by the same
/// scripts and trimmed to the retention, so <see cref="FlowReader"/> lists scopes without scanning keys. A run's tasks
/// always publish to the distributor that started the run, so its state is all in that distributor's
/// slot; the global scope is therefore one per distributor.
/// </summary>
internal sealed partial class RedisFlowStore(IDatabase db, DistributorKeys keys, TimeSpan retention, TimeProvider time) : IFlowStore
{
    private long TtlMs => (long)retention.TotalMilliseconds;

    public async Task<(bool Claimed, string FirstName)> ClaimAsync(string jobId, string name, byte[]? journalEntry,
        string? scope, string? firedTrigger)
    {
        var claim = keys.FlowClaim(jobId);
        RedisKey fired = scope is null ? claim : ScopeKey(scope, "fired");
        var result = (RedisResult[])(await db.ScriptEvaluateAsync(ClaimScript, [claim, keys.Jobs, fired],
            [name, TtlMs, jobId, journalEntry ?? [], firedTrigger ?? ""]).ConfigureAwait(false))!;
        return ((long)result[0] == 1, (string)result[1]!);
    }

    public async Task<IReadOnlyList<ReadyTrigger>> EmitAsync(string scope, string eventName, byte[] data)
    {
        var result = (RedisResult[])(await db.ScriptEvaluateAsync(EmitScript, Keys(scope), [eventName, data, TtlMs, scope, Now]).ConfigureAwait(false))!;
        return [.. result.Select(r => Read((RedisResult[])r!))];
    }

    public async Task<ReadyTrigger?> RegisterAsync(string scope, string triggerId, string[] events, byte[] payload)
    {
        var needs = JsonSerializer.Serialize(events);
        var result = (RedisResult[])(await db.ScriptEvaluateAsync(RegisterScript, Keys(scope),
            [triggerId, needs, payload, TtlMs, scope, Now]).ConfigureAwait(false))!;
        return result.Length == 0 ? null : Read(result);
    }

    // The connection belongs to the journal, which closes it.
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static ReadyTrigger Read(RedisResult[] row)
    {
        var events = new List<(string, byte[])>();
        for (var i = 2; i + 1 < row.Length; i += 2)
        {
            events.Add(((string)row[i]!, (byte[])row[i + 1]!));
        }
        return new ReadyTrigger((string)row[0]!, (byte[])row[1]!, events);
    }

    private RedisKey[] Keys(string scope) =>
        [ScopeKey(scope, "events"), ScopeKey(scope, "order"), ScopeKey(scope, "triggers"), ScopeKey(scope, "payloads"), ScopeKey(scope, "fired"),
            keys.FlowScopes];

    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    private RedisKey ScopeKey(string scope, string part) => keys.FlowScope(scope, part);
}
