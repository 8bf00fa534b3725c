using StackExchange.Redis;

namespace Reactor.Distributor.Durability;

/// <summary>
/// The Redis keys of one durable distributor. Every key carries the distributor's name as a hash tag
/// (<c>{name}</c>, percent-encoded so it holds no brace), so the journal, its results and the
/// fork/join state the distributor coordinates share one Redis Cluster slot: the scripts and
/// transactions that touch several of them at once are legal on a cluster. Distributors with other
/// names land on other slots, so several application instances spread over the cluster's masters.
/// A prefix that itself holds a hash tag overrides this (Redis hashes the first <c>{...}</c>), which
/// still works and puts everything on one slot.
/// </summary>
internal sealed class DistributorKeys
{
    private readonly string _prefix;
    private readonly string _tag;
    private readonly string _legacy;

    public DistributorKeys(string prefix, string name)
    {
        _prefix = prefix;
        var escaped = Uri.EscapeDataString(name);
        _tag = "{" + escaped + "}";
        _legacy = $"{prefix}:dist:{escaped}";
        Jobs = $"{prefix}:dist:{_tag}:jobs";
        Undelivered = $"{prefix}:dist:{_tag}:undelivered";
        Batches = $"{prefix}:dist:{_tag}:batches";
    }

    /// <summary>Set of <c>EnqueueMany</c> batch ids whose batch feedback has not run yet.</summary>
    public RedisKey Batches { get; }

    /// <summary>
    /// Hash of one batch: outcome counters <c>s</c>, <c>f</c>, <c>c</c> (succeeded, failed, cancelled), and
    /// once it completed, <c>total</c> and the claim <c>done</c>.
    /// </summary>
    public RedisKey Batch(string batchId) => $"{_prefix}:dist:{_tag}:batch:{batchId}";

    /// <summary>Hash of job id → journal entry.</summary>
    public RedisKey Jobs { get; }

    /// <summary>Set of job ids whose result is stored but whose feedback has not run.</summary>
    public RedisKey Undelivered { get; }

    /// <summary>What <see cref="Result"/> starts with; the job id follows.</summary>
    public string ResultPrefix => $"{_prefix}:dist:{_tag}:result:";

    /// <summary>The stored result of <paramref name="jobId"/>.</summary>
    public RedisKey Result(string jobId) => ResultPrefix + jobId;

    /// <summary>The claim of a deterministic fork/join id.</summary>
    public RedisKey FlowClaim(string jobId) => $"{_prefix}:flow:{_tag}:claim:{jobId}";

    /// <summary>One part (events, order, triggers, payloads, fired) of a fork/join scope.</summary>
    public RedisKey FlowScope(string scope, string part) => $"{_prefix}:flow:{_tag}:{scope}:{part}";

    /// <summary>Sorted set of fork/join scopes by last use (ms), for listing them.</summary>
    public RedisKey FlowScopes => $"{_prefix}:flow:{_tag}:scopes";

    /// <summary>The journal hash as versions before the hash tag named it.</summary>
    public RedisKey LegacyJobs => _legacy + ":jobs";

    /// <summary>The undelivered set as versions before the hash tag named it.</summary>
    public RedisKey LegacyUndelivered => _legacy + ":undelivered";

    /// <summary>A stored result as versions before the hash tag named it.</summary>
    public RedisKey LegacyResult(string jobId) => _legacy + ":result:" + jobId;
}
