namespace Reactor.Workflows.Store;

internal sealed partial class MemoryWorkflowStore
{
    public Task<bool> SetStatusAsync(string id, IReadOnlyList<WorkflowStatus> from, WorkflowStatus to, string? error,
        Outgoing outgoing, TimeSpan retention) => Locked(() =>
    {
        if (Find(id) is not { } flow || !from.Contains(flow.Record.Status))
        {
            return false;
        }
        flow.Record = flow.Record with { Status = to, Error = error ?? flow.Record.Error };
        Write(flow, outgoing);
        if (to is WorkflowStatus.Finished or WorkflowStatus.Failed or WorkflowStatus.Cancelled)
        {
            flow.ExpiresAt = time.GetUtcNow() + retention;
        }
        return true;
    });

    public Task<bool> ClaimAsync(string id, string? expectedOwner, string owner) => Locked(() =>
    {
        if (Find(id) is not { } flow || flow.Record.Owner != expectedOwner)
        {
            return false;
        }
        flow.Record = flow.Record with { Owner = owner };
        return true;
    });

    public Task<IReadOnlyList<TaskSpec>> PendingTasksAsync(string id, IReadOnlyList<string> steps) => Locked(() =>
        Find(id) is { } flow
            ? (IReadOnlyList<TaskSpec>)[.. steps.SelectMany(s => flow.PendingOf(s)).Select(t => flow.Tasks[t])]
            : []);

    public Task<IReadOnlyList<(TaskSpec Spec, string Output)>> FinishedTasksAsync(string id, string step) => Locked(() =>
        Find(id) is { } flow
            ? (IReadOnlyList<(TaskSpec, string)>)[.. flow.Outputs.Where(o => TaskSpec.StepOf(o.Key) == step).Select(o => (flow.Tasks[o.Key], o.Value))]
            : []);

    public Task<IReadOnlyList<string>> HistoryAsync(string id) => Locked(() =>
        Find(id) is { } flow ? (IReadOnlyList<string>)[.. flow.History] : []);

    public Task<IReadOnlyList<string>> ActiveAsync() => Locked(() =>
        (IReadOnlyList<string>)[.. _flows.Keys.Where(k => Find(k) is { ExpiresAt: null })]);

    public Task<TaskSpec?> LoadTaskAsync(string id, string taskId) => Locked(() =>
        Find(id) is { } flow ? flow.Tasks.GetValueOrDefault(taskId) : null);

    public Task AppendOutboxAsync(string engine, IReadOnlyList<string> entries) => Locked(() =>
    {
        if (!_outboxes.TryGetValue(engine, out var list))
        {
            _outboxes[engine] = list = [];
        }
        list.AddRange(entries);
        return true;
    });

    public Task<string?> PeekOutboxAsync(string engine) => Locked(() =>
        _outboxes.TryGetValue(engine, out var list) && list.Count > 0 ? list[0] : null);

    public Task RemoveOutboxHeadAsync(string engine, string entry) => Locked(() =>
    {
        if (_outboxes.TryGetValue(engine, out var list) && list.Count > 0 && list[0] == entry)
        {
            list.RemoveAt(0);
        }
        return true;
    });

    public Task RenewLeaseAsync(string engine, TimeSpan ttl) => Locked(() => _leases[engine] = time.GetUtcNow() + ttl);

    public Task<bool> LeaseAliveAsync(string engine) => Locked(() =>
        _leases.TryGetValue(engine, out var until) && until > time.GetUtcNow());

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private Flow? Find(string id)
    {
        if (!_flows.TryGetValue(id, out var flow))
        {
            return null;
        }
        if (flow.ExpiresAt is { } at && at <= time.GetUtcNow())
        {
            _flows.Remove(id);
            return null;
        }
        flow.Record = flow.Record with { Steps = flow.Steps, Inputs = flow.Inputs };
        return flow;
    }

    private void Write(Flow flow, Outgoing outgoing)
    {
        flow.History.AddRange(outgoing.History);
        if (outgoing.Outbox.Count > 0)
        {
            if (!_outboxes.TryGetValue(outgoing.Engine, out var list))
            {
                _outboxes[outgoing.Engine] = list = [];
            }
            list.AddRange(outgoing.Outbox);
        }
    }

    private Task<T> Locked<T>(Func<T> action)
    {
        lock (_gate)
        {
            return Task.FromResult(action());
        }
    }
}
