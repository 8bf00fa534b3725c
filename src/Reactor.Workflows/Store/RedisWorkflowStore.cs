using System.Globalization;
using System.Text.Json;
using Reactor.Storage.Redis;
using StackExchange.Redis;

namespace Reactor.Workflows.Store;

/// <summary>
/// Workflow state in Redis. Key layout (prefix default <c>reactor:wf:</c>; the braces are a hash tag
/// keeping one workflow's keys together, in one Redis Cluster slot):
/// <c>{id}</c> hash (name, status, payload, created_at, owner, error, steps, step:NAME, input:NAME, optional traceparent and tracestate),
/// <c>{id}:tasks</c> hash task id → spec, <c>{id}:outputs</c> hash task id → output,
/// <c>{id}:done</c> set of finished task ids, <c>{id}:pending:STEP</c> set of pending task ids,
/// <c>{id}:history</c> list, <c>{id}:outbox</c> list (the workflow's unsent messages, oldest first);
/// plus engine-wide keys, each a single key on some slot: <c>active</c> (set of running workflow
/// ids), <c>outboxes:ENGINE</c> (set of ids of workflows that may have outbox entries for the engine
/// to send), <c>outbox:ENGINE</c> (list, messages re-sent on resume) and <c>engine:ENGINE</c> (lease,
/// with a TTL), <c>index</c> (sorted set of every workflow id by creation time, for listing) and
/// <c>ended</c> (sorted set of ended workflow ids by the time their keys expire, so the index is
/// pruned; see RedisWorkflowStore.Reading.cs). No key is ever found by scanning.
/// </summary>
/// <remarks>
/// Every script touches one workflow's keys only. The engine-wide sets are written around it in an
/// order that never loses a workflow: <c>active</c> gets the id before the create script and loses it
/// after the terminal transition (a crash in between leaves an id whose record is ended or gone,
/// which the engine's sweep skips); <c>outboxes:ENGINE</c> gets the id before and again after a script
/// that queues messages, and the relay removes an id only by removing it first and then looking at
/// the workflow's outbox again (see <see cref="PeekOutboxAsync"/>). Messages of one workflow leave in
/// order; messages of different workflows may interleave differently from their commit order.
/// </remarks>
internal sealed partial class RedisWorkflowStore : IWorkflowStore
{
    private readonly IConnectionMultiplexer _redis;
    private readonly IDatabase _db;
    private readonly string _prefix;
    private readonly bool _ownsConnection;
    // Per engine: the outbox list the relay read last, so it drains one list before looking at others.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, RedisKey> _reading = new(StringComparer.Ordinal);

    private readonly TimeProvider _time;

    public RedisWorkflowStore(IConnectionMultiplexer redis, string prefix = "reactor:wf:", bool ownsConnection = false, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _redis = redis;
        _db = redis.GetDatabase();
        _prefix = prefix;
        _ownsConnection = ownsConnection;
    }

    /// <summary>Connects to <paramref name="address"/> (see <see cref="RedisAddress"/>); throws when Redis does not answer.</summary>
    public static async Task<RedisWorkflowStore> ConnectAsync(string address, string prefix = "reactor:wf:", TimeProvider? time = null)
    {
        var options = RedisAddress.Parse(address);
        var endpoint = RedisAddress.Describe(options);
        try
        {
            var redis = await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
            await redis.GetDatabase().PingAsync().ConfigureAwait(false);
            return new RedisWorkflowStore(redis, prefix, ownsConnection: true, time);
        }
        catch (RedisException e)
        {
            throw new InvalidOperationException($"Redis at {endpoint} is unreachable for the workflow store: {e.Message}", e);
        }
    }

    private RedisKey Meta(string id) => $"{_prefix}{{{id}}}";
    private RedisKey Sub(string id, string part) => $"{_prefix}{{{id}}}:{part}";
    private RedisKey Active => $"{_prefix}active";
    private RedisKey Outbox(string engine) => $"{_prefix}outbox:{engine}";
    private RedisKey OutboxIndex(string engine) => $"{_prefix}outboxes:{engine}";
    private RedisKey Lease(string engine) => $"{_prefix}engine:{engine}";

    public async Task<bool> CreateAsync(WorkflowRecord record, IReadOnlyList<string> steps, Outgoing outgoing)
    {
        var fields = new List<RedisValue>
        {
            "name", record.Name, "status", "running", "payload", record.Payload,
            "created_at", record.CreatedAt.ToUnixTimeMilliseconds(), "steps", JsonSerializer.Serialize(steps),
        };
        if (record.Owner is not null)
        {
            fields.AddRange(["owner", record.Owner]);
        }
        // Optional fields: a record without them (an older version, or no trace) loads with nulls.
        if (record.TraceParent is not null)
        {
            fields.AddRange(["traceparent", record.TraceParent]);
        }
        if (record.TraceState is not null)
        {
            fields.AddRange(["tracestate", record.TraceState]);
        }
        if (record.Graph is not null)
        {
            fields.AddRange(["graph", record.Graph]);
        }
        RedisValue[] args = [record.Id, fields.Count / 2, .. fields, .. Block(outgoing)];
        // Before the script: a crash after it must not leave a running workflow no sweep can find.
        await _db.SetAddAsync(Active, record.Id).ConfigureAwait(false);
        await IndexAsync(record).ConfigureAwait(false);
        return (int)await EvalAsync(record.Id, RedisWorkflowScripts.Create, [Meta(record.Id), Sub(record.Id, "history"), Sub(record.Id, "outbox")],
            args, outgoing) == 1;
    }

    public async Task<WorkflowRecord?> LoadAsync(string id)
    {
        var entries = await _db.HashGetAllAsync(Meta(id)).ConfigureAwait(false);
        if (entries.Length == 0)
        {
            return null;
        }
        var map = entries.ToDictionary(e => e.Name.ToString(), e => e.Value.ToString(), StringComparer.Ordinal);
        var steps = new Dictionary<string, StepState>(StringComparer.Ordinal);
        var inputs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in map)
        {
            if (key.StartsWith("step:", StringComparison.Ordinal))
            {
                steps[key[5..]] = Enum.Parse<StepState>(value, ignoreCase: true);
            }
            else if (key.StartsWith("input:", StringComparison.Ordinal))
            {
                inputs[key[6..]] = value;
            }
        }
        return new WorkflowRecord(id, map.GetValueOrDefault("name", ""), Enum.Parse<WorkflowStatus>(map["status"], ignoreCase: true),
            map.GetValueOrDefault("payload", "{}"),
            DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(map.GetValueOrDefault("created_at", "0"), CultureInfo.InvariantCulture)),
            map.GetValueOrDefault("owner"), map.GetValueOrDefault("error"), steps, inputs,
            map.GetValueOrDefault("traceparent"), map.GetValueOrDefault("tracestate"), map.GetValueOrDefault("graph"));
    }

    public async Task<StepStart> StartStepAsync(string id, string step, string input, IReadOnlyList<TaskSpec> tasks, Outgoing outgoing)
    {
        RedisValue[] args = [step, input, tasks.Count, .. Specs(tasks), .. Block(outgoing)];
        var result = (int)await EvalAsync(id, RedisWorkflowScripts.StartStep,
            [Meta(id), Sub(id, "pending:" + step), Sub(id, "tasks"), Sub(id, "history"), Sub(id, "outbox")], args, outgoing);
        return result switch { 0 => StepStart.Started, 1 => StepStart.AlreadyStarted, _ => StepStart.NotRunning };
    }

    public async Task<TaskFinish> FinishTaskAsync(string id, string taskId, string output, IReadOnlyList<TaskSpec> children,
        Outgoing onRecorded, Outgoing onStepFinished)
    {
        var step = TaskSpec.StepOf(taskId);
        RedisValue[] args = [step, taskId, output, children.Count, .. Specs(children), .. Block(onRecorded), .. Block(onStepFinished)];
        var result = (int)await EvalAsync(id, RedisWorkflowScripts.FinishTask,
        [
            Meta(id), Sub(id, "pending:" + step), Sub(id, "done"), Sub(id, "tasks"), Sub(id, "outputs"),
            Sub(id, "history"), Sub(id, "outbox"),
        ], args, onRecorded, onStepFinished);
        return result switch { 0 => TaskFinish.Recorded, 1 => TaskFinish.StepFinished, 2 => TaskFinish.Duplicate, _ => TaskFinish.Ignored };
    }

    public async Task<bool> FinishEmptyStepAsync(string id, string step, Outgoing onStepFinished) =>
        (int)await EvalAsync(id, RedisWorkflowScripts.FinishEmptyStep,
            [Meta(id), Sub(id, "pending:" + step), Sub(id, "history"), Sub(id, "outbox")],
            [step, .. Block(onStepFinished)], onStepFinished) == 1;

    public async Task<bool> FailStepAsync(string id, string taskId, string error, Outgoing outgoing)
    {
        var step = TaskSpec.StepOf(taskId);
        return (int)await EvalAsync(id, RedisWorkflowScripts.FailStep,
            [Meta(id), Sub(id, "pending:" + step), Sub(id, "done"), Sub(id, "history"), Sub(id, "outbox")],
            [step, taskId, error, .. Block(outgoing)], outgoing) == 1;
    }

    private Task<RedisResult> Eval(string script, RedisKey[] keys, RedisValue[] args) => _db.ScriptEvaluateAsync(script, keys, args);

    /// <summary>
    /// Runs a script of workflow <paramref name="id"/> that may queue the messages of
    /// <paramref name="outgoing"/>, marking the workflow in each engine's outbox index before (a crash
    /// right after the script) and after (a relay that unmarked it while the script ran).
    /// </summary>
    private async Task<RedisResult> EvalAsync(string id, string script, RedisKey[] keys, RedisValue[] args, params Outgoing[] outgoing)
    {
        var engines = outgoing.Where(o => o.Outbox.Count > 0).Select(o => o.Engine).Distinct(StringComparer.Ordinal).ToList();
        foreach (var engine in engines)
        {
            await _db.SetAddAsync(OutboxIndex(engine), id).ConfigureAwait(false);
        }
        var result = await Eval(script, keys, args).ConfigureAwait(false);
        foreach (var engine in engines)
        {
            await _db.SetAddAsync(OutboxIndex(engine), id).ConfigureAwait(false);
        }
        return result;
    }

    private static IEnumerable<RedisValue> Specs(IReadOnlyList<TaskSpec> tasks) =>
        tasks.SelectMany(t => new RedisValue[] { t.Id, JsonSerializer.Serialize(t) });

    private static IEnumerable<RedisValue> Block(Outgoing outgoing) =>
        [outgoing.History.Count, .. outgoing.History.Select(h => (RedisValue)h), outgoing.Outbox.Count, .. outgoing.Outbox.Select(o => (RedisValue)o)];
}
