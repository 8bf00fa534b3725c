using System.Globalization;
using System.Text.Json;
using StackExchange.Redis;

namespace Reactor.Workflows.Store;

// Reads for listing and inspecting workflows (WorkflowClient, the dashboard). The index sorted set
// gets every id at creation; an ended workflow's keys expire after its retention, so the `ended`
// sorted set remembers when, and each creation prunes a bounded batch of expired ids from both.
// A page also drops any id whose record is gone (an index written before `ended` existed).
internal sealed partial class RedisWorkflowStore
{
    private const int PruneBatch = 64;

    private RedisKey Index => $"{_prefix}index";
    private RedisKey Ended => $"{_prefix}ended";

    private async Task IndexAsync(WorkflowRecord record)
    {
        await _db.SortedSetAddAsync(Index, record.Id, record.CreatedAt.ToUnixTimeMilliseconds()).ConfigureAwait(false);
        var expired = await _db.SortedSetRangeByScoreAsync(Ended, double.NegativeInfinity, _time.GetUtcNow().ToUnixTimeMilliseconds(),
            take: PruneBatch).ConfigureAwait(false);
        if (expired.Length > 0)
        {
            await _db.SortedSetRemoveAsync(Index, expired).ConfigureAwait(false);
            await _db.SortedSetRemoveAsync(Ended, expired).ConfigureAwait(false);
        }
    }

    /// <summary>Workflows newest first (or only running and paused ones), <paramref name="count"/> from <paramref name="offset"/>.</summary>
    public async Task<WorkflowListPage> ListAsync(long offset, int count, bool activeOnly)
    {
        if (activeOnly)
        {
            // The active set is as large as what runs now; sorted here by the index's creation time.
            var active = await _db.SetMembersAsync(Active).ConfigureAwait(false);
            if (active.Length == 0)
            {
                return new WorkflowListPage([], 0);
            }
            var scores = await _db.SortedSetScoresAsync(Index, active).ConfigureAwait(false);
            var ordered = active.Zip(scores).OrderByDescending(p => p.Second ?? 0).ThenBy(p => p.First.ToString(), StringComparer.Ordinal)
                .Select(p => p.First).ToList();
            var items = await SummariesAsync(ordered.Skip((int)Math.Min(offset, int.MaxValue)).Take(count), prune: false).ConfigureAwait(false);
            return new WorkflowListPage(items, ordered.Count);
        }
        var total = await _db.SortedSetLengthAsync(Index).ConfigureAwait(false);
        var ids = await _db.SortedSetRangeByRankAsync(Index, offset, offset + count - 1, Order.Descending).ConfigureAwait(false);
        return new WorkflowListPage(await SummariesAsync(ids, prune: true).ConfigureAwait(false), total);
    }

    private async Task<IReadOnlyList<WorkflowSummary>> SummariesAsync(IEnumerable<RedisValue> ids, bool prune)
    {
        RedisValue[] fields = ["name", "status", "created_at", "owner", "error"];
        var batch = _db.CreateBatch();
        var reads = ids.Select(id => (Id: id.ToString(), Values: batch.HashGetAsync(Meta(id.ToString()), fields))).ToList();
        batch.Execute();
        var items = new List<WorkflowSummary>(reads.Count);
        foreach (var (id, read) in reads)
        {
            var v = await read.ConfigureAwait(false);
            if (v[1].IsNull)
            {
                if (prune)
                {
                    await _db.SortedSetRemoveAsync(Index, id).ConfigureAwait(false);
                }
                continue;
            }
            items.Add(new WorkflowSummary(id, v[0].ToString(), ParseStatus(v[1].ToString()), Created(v[2]), Blank(v[3]), Blank(v[4])));
        }
        return items;
    }

    /// <summary>The workflow with its graph, per-step counts, up to <paramref name="maxTasks"/> tasks and its history; null when unknown.</summary>
    public async Task<WorkflowDetails?> DetailsAsync(string id, int maxTasks)
    {
        if (await LoadAsync(id).ConfigureAwait(false) is not { } record)
        {
            return null;
        }
        var stepsJson = await _db.HashGetAsync(Meta(id), "steps").ConfigureAwait(false);
        var names = stepsJson.IsNull ? [] : JsonSerializer.Deserialize<string[]>(stepsJson.ToString()) ?? [];
        var taskIds = (await _db.HashKeysAsync(Sub(id, "tasks")).ConfigureAwait(false)).Select(k => k.ToString()).ToList();
        var done = (await _db.SetMembersAsync(Sub(id, "done")).ConfigureAwait(false)).Select(k => k.ToString()).ToHashSet(StringComparer.Ordinal);
        var byStep = taskIds.GroupBy(TaskSpec.StepOf, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var steps = new List<WorkflowStepDetails>();
        foreach (var node in WorkflowGraph.Read(record.Graph, names))
        {
            var mine = byStep.GetValueOrDefault(node.Name) ?? [];
            var finished = mine.Count(done.Contains);
            steps.Add(new WorkflowStepDetails(node.Name, node.Depends, node.AnyDependency, node.OnError, node.IsInitial, node.IsFinal,
                node.Handlers, node.FanOutItems, WorkflowInfo.Public(record.StepState(node.Name)), mine.Count, finished, mine.Count - finished));
        }
        var order = steps.Select((s, i) => (s.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
        var shown = taskIds.OrderBy(t => order.GetValueOrDefault(TaskSpec.StepOf(t), int.MaxValue)).ThenBy(t => t, StringComparer.Ordinal)
            .Take(maxTasks).ToList();
        var specs = shown.Count == 0 ? [] : await _db.HashGetAsync(Sub(id, "tasks"), [.. shown.Select(t => (RedisValue)t)]).ConfigureAwait(false);
        var tasks = shown.Zip(specs).Where(p => !p.Second.IsNull).Select(p =>
        {
            var spec = JsonSerializer.Deserialize<TaskSpec>(p.Second.ToString())!;
            return new WorkflowTaskDetails(p.First, spec.Step, spec.Kind, spec.Target, done.Contains(p.First));
        }).ToList();
        var history = (await HistoryAsync(id).ConfigureAwait(false)).Select(h => JsonSerializer.Deserialize<WorkflowTransition>(h)!).ToList();
        var summary = new WorkflowSummary(id, record.Name, record.Status, record.CreatedAt, Blank(record.Owner), record.Error);
        return new WorkflowDetails(summary, record.Payload, steps, tasks, taskIds.Count, history);
    }

    private static WorkflowStatus ParseStatus(string text) =>
        Enum.TryParse<WorkflowStatus>(text, ignoreCase: true, out var status) ? status : WorkflowStatus.Failed;

    private static DateTimeOffset Created(RedisValue value) =>
        DateTimeOffset.FromUnixTimeMilliseconds(long.TryParse(value.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms) ? ms : 0);

    private static string? Blank(RedisValue value) => value.IsNullOrEmpty ? null : value.ToString();

    private static string? Blank(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
