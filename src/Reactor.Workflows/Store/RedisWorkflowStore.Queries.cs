using System.Text.Json;
using StackExchange.Redis;

namespace Reactor.Workflows.Store;

internal sealed partial class RedisWorkflowStore
{
    public async Task<bool> SetStatusAsync(string id, IReadOnlyList<WorkflowStatus> from, WorkflowStatus to, string? error,
        Outgoing outgoing, TimeSpan retention)
    {
        var terminal = to is WorkflowStatus.Finished or WorkflowStatus.Failed or WorkflowStatus.Cancelled;
        var stepsJson = await _db.HashGetAsync(Meta(id), "steps").ConfigureAwait(false);
        var steps = stepsJson.IsNull ? [] : JsonSerializer.Deserialize<string[]>(stepsJson.ToString()) ?? [];
        RedisKey[] keys =
        [
            Meta(id), Sub(id, "history"), Sub(id, "outbox"),
            Sub(id, "tasks"), Sub(id, "outputs"), Sub(id, "done"), .. steps.Select(s => Sub(id, "pending:" + s)),
        ];
        RedisValue[] args =
        [
            id, from.Count, .. from.Select(f => (RedisValue)Name(f)), Name(to), error ?? "", terminal ? "1" : "0",
            (long)retention.TotalMilliseconds, .. Block(outgoing),
        ];
        var changed = (int)await EvalAsync(id, RedisWorkflowScripts.SetStatus, keys, args, outgoing) == 1;
        if (changed && terminal)
        {
            // After the transition: until then the workflow must stay findable by a sweep.
            await _db.SetRemoveAsync(Active, id).ConfigureAwait(false);
            await _db.SortedSetAddAsync(Ended, id, (_time.GetUtcNow() + retention).ToUnixTimeMilliseconds()).ConfigureAwait(false);
        }
        return changed;
    }

    public async Task<bool> ClaimAsync(string id, string? expectedOwner, string owner) =>
        (int)await Eval(RedisWorkflowScripts.Claim, [Meta(id)], [expectedOwner ?? "", owner]) == 1;

    public async Task<IReadOnlyList<TaskSpec>> PendingTasksAsync(string id, IReadOnlyList<string> steps)
    {
        var ids = new List<RedisValue>();
        foreach (var step in steps)
        {
            ids.AddRange(await _db.SetMembersAsync(Sub(id, "pending:" + step)).ConfigureAwait(false));
        }
        if (ids.Count == 0)
        {
            return [];
        }
        var specs = await _db.HashGetAsync(Sub(id, "tasks"), [.. ids]).ConfigureAwait(false);
        return [.. specs.Where(s => !s.IsNull).Select(s => JsonSerializer.Deserialize<TaskSpec>(s.ToString())!)];
    }

    public async Task<IReadOnlyList<(TaskSpec Spec, string Output)>> FinishedTasksAsync(string id, string step)
    {
        var outputs = await _db.HashGetAllAsync(Sub(id, "outputs")).ConfigureAwait(false);
        var mine = outputs.Where(o => TaskSpec.StepOf(o.Name.ToString()) == step).ToList();
        if (mine.Count == 0)
        {
            return [];
        }
        var specs = await _db.HashGetAsync(Sub(id, "tasks"), [.. mine.Select(o => o.Name)]).ConfigureAwait(false);
        return [.. mine.Zip(specs).Where(p => !p.Second.IsNull)
            .Select(p => (JsonSerializer.Deserialize<TaskSpec>(p.Second.ToString())!, p.First.Value.ToString()))];
    }

    public async Task<IReadOnlyList<string>> HistoryAsync(string id) =>
        [.. (await _db.ListRangeAsync(Sub(id, "history")).ConfigureAwait(false)).Select(v => v.ToString())];

    public async Task<IReadOnlyList<string>> ActiveAsync() =>
        [.. (await _db.SetMembersAsync(Active).ConfigureAwait(false)).Select(v => v.ToString())];

    public async Task<TaskSpec?> LoadTaskAsync(string id, string taskId)
    {
        var spec = await _db.HashGetAsync(Sub(id, "tasks"), taskId).ConfigureAwait(false);
        return spec.IsNull ? null : JsonSerializer.Deserialize<TaskSpec>(spec.ToString());
    }

    public Task AppendOutboxAsync(string engine, IReadOnlyList<string> entries) =>
        entries.Count == 0 ? Task.CompletedTask : _db.ListRightPushAsync(Outbox(engine), [.. entries.Select(e => (RedisValue)e)]);

    /// <summary>
    /// The oldest entry of one outbox of <paramref name="engine"/>: the list it read last while that has
    /// entries, else a marked workflow's list, else the engine's own list. A workflow is unmarked by
    /// removing its id and then looking at its list again (marking it again if a script queued
    /// something meanwhile), which with the writers' mark-before-and-after never strands an entry.
    /// </summary>
    public async Task<string?> PeekOutboxAsync(string engine)
    {
        if (_reading.TryGetValue(engine, out var current) && await HeadAsync(current).ConfigureAwait(false) is { } head)
        {
            return head;
        }
        foreach (var id in await _db.SetMembersAsync(OutboxIndex(engine)).ConfigureAwait(false))
        {
            var list = Sub(id.ToString(), "outbox");
            if (await HeadAsync(list).ConfigureAwait(false) is not { } first)
            {
                await _db.SetRemoveAsync(OutboxIndex(engine), id).ConfigureAwait(false);
                first = await HeadAsync(list).ConfigureAwait(false);
                if (first is null)
                {
                    continue;
                }
                await _db.SetAddAsync(OutboxIndex(engine), id).ConfigureAwait(false);
            }
            _reading[engine] = list;
            return first;
        }
        _reading[engine] = Outbox(engine);
        return await HeadAsync(Outbox(engine)).ConfigureAwait(false);
    }

    /// <summary>Removes <paramref name="entry"/> from the head of the list last peeked, or else of the engine's own list.</summary>
    public async Task RemoveOutboxHeadAsync(string engine, string entry)
    {
        var lists = _reading.TryGetValue(engine, out var current) ? new[] { current, Outbox(engine) } : [Outbox(engine)];
        foreach (var list in lists.Distinct())
        {
            if ((int)await Eval(RedisWorkflowScripts.RemoveOutboxHead, [list], [entry]).ConfigureAwait(false) == 1)
            {
                return;
            }
        }
    }

    private async Task<string?> HeadAsync(RedisKey list)
    {
        var head = await _db.ListGetByIndexAsync(list, 0).ConfigureAwait(false);
        return head.IsNull ? null : head.ToString();
    }

    public Task RenewLeaseAsync(string engine, TimeSpan ttl) => _db.StringSetAsync(Lease(engine), "alive", ttl);

    public Task<bool> LeaseAliveAsync(string engine) => _db.KeyExistsAsync(Lease(engine));

    public async ValueTask DisposeAsync()
    {
        if (_ownsConnection)
        {
            await _redis.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static string Name(WorkflowStatus status) => status.ToString().ToLowerInvariant();
}
