using System.Globalization;
using System.Text.Json;
using Reactor.Storage.Redis;
using StackExchange.Redis;

namespace Reactor.Workflows.Store;

/// <summary>
/// Workflow state in Redis. Key layout (prefix default <c>reactor:wf:</c>; the braces are a hash tag
/// keeping one workflow's keys together):
/// <c>{id}</c> hash (name, status, payload, created_at, owner, error, steps, step:NAME, input:NAME, optional traceparent and tracestate),
/// <c>{id}:tasks</c> hash task id → spec, <c>{id}:outputs</c> hash task id → output,
/// <c>{id}:done</c> set of finished task ids, <c>{id}:pending:STEP</c> set of pending task ids,
/// <c>{id}:history</c> list; plus <c>active</c> (set of running workflow ids),
/// <c>outbox:ENGINE</c> (list) and <c>engine:ENGINE</c> (lease, with a TTL). No key is ever found by scanning.
/// </summary>
internal sealed partial class RedisWorkflowStore : IWorkflowStore
{
    private readonly IConnectionMultiplexer _redis;
    private readonly IDatabase _db;
    private readonly string _prefix;
    private readonly bool _ownsConnection;

    public RedisWorkflowStore(IConnectionMultiplexer redis, string prefix = "reactor:wf:", bool ownsConnection = false)
    {
        _redis = redis;
        _db = redis.GetDatabase();
        _prefix = prefix;
        _ownsConnection = ownsConnection;
    }

    /// <summary>Connects to <paramref name="address"/> (see <see cref="RedisAddress"/>); throws when Redis does not answer.</summary>
    public static async Task<RedisWorkflowStore> ConnectAsync(string address, string prefix = "reactor:wf:")
    {
        var options = RedisAddress.Parse(address);
        var endpoint = RedisAddress.Describe(options);
        try
        {
            var redis = await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
            await redis.GetDatabase().PingAsync().ConfigureAwait(false);
            return new RedisWorkflowStore(redis, prefix, ownsConnection: true);
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
        RedisValue[] args = [record.Id, fields.Count / 2, .. fields, .. Block(outgoing)];
        return (int)await Eval(RedisWorkflowScripts.Create, [Meta(record.Id), Sub(record.Id, "history"), Outbox(outgoing.Engine), Active], args) == 1;
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
            map.GetValueOrDefault("traceparent"), map.GetValueOrDefault("tracestate"));
    }

    public async Task<StepStart> StartStepAsync(string id, string step, string input, IReadOnlyList<TaskSpec> tasks, Outgoing outgoing)
    {
        RedisValue[] args = [step, input, tasks.Count, .. Specs(tasks), .. Block(outgoing)];
        var result = (int)await Eval(RedisWorkflowScripts.StartStep,
            [Meta(id), Sub(id, "pending:" + step), Sub(id, "tasks"), Sub(id, "history"), Outbox(outgoing.Engine)], args);
        return result switch { 0 => StepStart.Started, 1 => StepStart.AlreadyStarted, _ => StepStart.NotRunning };
    }

    public async Task<TaskFinish> FinishTaskAsync(string id, string taskId, string output, IReadOnlyList<TaskSpec> children,
        Outgoing onRecorded, Outgoing onStepFinished)
    {
        var step = TaskSpec.StepOf(taskId);
        RedisValue[] args = [step, taskId, output, children.Count, .. Specs(children), .. Block(onRecorded), .. Block(onStepFinished)];
        var result = (int)await Eval(RedisWorkflowScripts.FinishTask,
        [
            Meta(id), Sub(id, "pending:" + step), Sub(id, "done"), Sub(id, "tasks"), Sub(id, "outputs"),
            Sub(id, "history"), Outbox(onRecorded.Engine),
        ], args);
        return result switch { 0 => TaskFinish.Recorded, 1 => TaskFinish.StepFinished, 2 => TaskFinish.Duplicate, _ => TaskFinish.Ignored };
    }

    public async Task<bool> FinishEmptyStepAsync(string id, string step, Outgoing onStepFinished) =>
        (int)await Eval(RedisWorkflowScripts.FinishEmptyStep,
            [Meta(id), Sub(id, "pending:" + step), Sub(id, "history"), Outbox(onStepFinished.Engine)],
            [step, .. Block(onStepFinished)]) == 1;

    public async Task<bool> FailStepAsync(string id, string taskId, string error, Outgoing outgoing)
    {
        var step = TaskSpec.StepOf(taskId);
        return (int)await Eval(RedisWorkflowScripts.FailStep,
            [Meta(id), Sub(id, "pending:" + step), Sub(id, "done"), Sub(id, "history"), Outbox(outgoing.Engine)],
            [step, taskId, error, .. Block(outgoing)]) == 1;
    }

    private Task<RedisResult> Eval(string script, RedisKey[] keys, RedisValue[] args) => _db.ScriptEvaluateAsync(script, keys, args);

    private static IEnumerable<RedisValue> Specs(IReadOnlyList<TaskSpec> tasks) =>
        tasks.SelectMany(t => new RedisValue[] { t.Id, JsonSerializer.Serialize(t) });

    private static IEnumerable<RedisValue> Block(Outgoing outgoing) =>
        [outgoing.History.Count, .. outgoing.History.Select(h => (RedisValue)h), outgoing.Outbox.Count, .. outgoing.Outbox.Select(o => (RedisValue)o)];
}
