namespace Reactor.Workflows.Store;

/// <summary>
/// The default store: state in this process, so it lives as long as the engine. One lock makes every
/// operation atomic, mirroring what the Redis store does with Lua scripts. Ended workflows are
/// dropped once their retention passes (checked on access, against the injected clock).
/// </summary>
internal sealed partial class MemoryWorkflowStore(TimeProvider time) : IWorkflowStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Flow> _flows = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _outboxes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _leases = new(StringComparer.Ordinal);

    private sealed class Flow(WorkflowRecord record, IReadOnlyList<string> steps)
    {
        public WorkflowRecord Record { get; set; } = record;
        public IReadOnlyList<string> StepNames { get; } = steps;
        public Dictionary<string, StepState> Steps { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, string> Inputs { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, TaskSpec> Tasks { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, string> Outputs { get; } = new(StringComparer.Ordinal);
        public HashSet<string> Done { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, HashSet<string>> Pending { get; } = new(StringComparer.Ordinal);
        public List<string> History { get; } = [];
        public DateTimeOffset? ExpiresAt { get; set; }

        public HashSet<string> PendingOf(string step) =>
            Pending.TryGetValue(step, out var set) ? set : Pending[step] = new HashSet<string>(StringComparer.Ordinal);

        public StepState StateOf(string step) => Steps.GetValueOrDefault(step, StepState.Waiting);

        public bool Accepts => Record.Status is WorkflowStatus.Running or WorkflowStatus.Paused;
    }

    public Task<bool> CreateAsync(WorkflowRecord record, IReadOnlyList<string> steps, Outgoing outgoing) => Locked(() =>
    {
        if (Find(record.Id) is not null)
        {
            return false;
        }
        _flows[record.Id] = new Flow(record with { Status = WorkflowStatus.Running }, steps);
        Write(_flows[record.Id], outgoing);
        return true;
    });

    public Task<WorkflowRecord?> LoadAsync(string id) => Locked(() =>
        Find(id) is { } flow ? flow.Record with { Steps = new Dictionary<string, StepState>(flow.Steps), Inputs = new Dictionary<string, string>(flow.Inputs) } : null);

    public Task<StepStart> StartStepAsync(string id, string step, string input, IReadOnlyList<TaskSpec> tasks, Outgoing outgoing) => Locked(() =>
    {
        if (Find(id) is not { Record.Status: WorkflowStatus.Running } flow)
        {
            return StepStart.NotRunning;
        }
        if (flow.StateOf(step) != StepState.Waiting)
        {
            return StepStart.AlreadyStarted;
        }
        flow.Steps[step] = StepState.Running;
        flow.Inputs[step] = input;
        foreach (var task in tasks)
        {
            flow.PendingOf(step).Add(task.Id);
            flow.Tasks[task.Id] = task;
        }
        Write(flow, outgoing);
        return StepStart.Started;
    });

    public Task<TaskFinish> FinishTaskAsync(string id, string taskId, string output, IReadOnlyList<TaskSpec> children,
        Outgoing onRecorded, Outgoing onStepFinished) => Locked(() =>
    {
        var step = TaskSpec.StepOf(taskId);
        var flow = Find(id);
        if (flow?.Done.Contains(taskId) == true)
        {
            return TaskFinish.Duplicate;
        }
        if (flow is not { Accepts: true } || flow.StateOf(step) != StepState.Running)
        {
            return TaskFinish.Ignored;
        }
        var pending = flow.PendingOf(step);
        if (!pending.Remove(taskId))
        {
            return TaskFinish.Ignored;
        }
        flow.Done.Add(taskId);
        flow.Outputs[taskId] = output;
        foreach (var child in children.Where(c => !flow.Done.Contains(c.Id)))
        {
            pending.Add(child.Id);
            flow.Tasks[child.Id] = child;
        }
        Write(flow, onRecorded);
        if (pending.Count > 0)
        {
            return TaskFinish.Recorded;
        }
        flow.Steps[step] = StepState.Finished;
        Write(flow, onStepFinished);
        return TaskFinish.StepFinished;
    });

    public Task<bool> FinishEmptyStepAsync(string id, string step, Outgoing onStepFinished) => Locked(() =>
    {
        if (Find(id) is not { Accepts: true } flow || flow.StateOf(step) != StepState.Running || flow.PendingOf(step).Count > 0)
        {
            return false;
        }
        flow.Steps[step] = StepState.Finished;
        Write(flow, onStepFinished);
        return true;
    });

    public Task<bool> FailStepAsync(string id, string taskId, string error, Outgoing outgoing) => Locked(() =>
    {
        var step = TaskSpec.StepOf(taskId);
        if (Find(id) is not { Accepts: true } flow || flow.StateOf(step) != StepState.Running
            || flow.Done.Contains(taskId) || !flow.PendingOf(step).Contains(taskId))
        {
            return false;
        }
        flow.Steps[step] = StepState.Failed;
        flow.Record = flow.Record with { Error = flow.Record.Error ?? error };
        Write(flow, outgoing);
        return true;
    });
}
