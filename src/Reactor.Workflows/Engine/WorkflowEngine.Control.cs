using System.Text.Json;
using Reactor.Workflows.Store;

namespace Reactor.Workflows;

public sealed partial class WorkflowEngine
{
    /// <summary>
    /// Pauses a running workflow: nothing new starts, and its running jobs are cancelled (they run
    /// again on resume). Results still arriving (AMQP workers) are recorded. False if it was not running.
    /// </summary>
    public async Task<bool> PauseAsync(string id)
    {
        var name = (await Store.LoadAsync(id).ConfigureAwait(false))?.Name ?? "";
        var paused = Event(WorkflowEventTypes.Paused, id, name, from: "running", to: "paused");
        if (!await Store.SetStatusAsync(id, [WorkflowStatus.Running], WorkflowStatus.Paused, null, Emit(paused), _options.Retention).ConfigureAwait(false))
        {
            return false;
        }
        await RecordEndAsync(id, Reactor.Metrics.ReactorMeter.Cancelled).ConfigureAwait(false);
        _relay?.Signal();
        Abandon(id);
        return true;
    }

    /// <summary>Resumes a paused workflow: re-runs the tasks that were in flight, then starts what became startable.</summary>
    public async Task<bool> ResumeAsync(string id)
    {
        var name = (await Store.LoadAsync(id).ConfigureAwait(false))?.Name ?? "";
        var resumed = Event(WorkflowEventTypes.Resumed, id, name, from: "paused", to: "running");
        if (!await Store.SetStatusAsync(id, [WorkflowStatus.Paused], WorkflowStatus.Running, null, Emit(resumed), _options.Retention).ConfigureAwait(false))
        {
            return false;
        }
        _relay?.Signal();
        await ContinueAsync(id).ConfigureAwait(false);
        return true;
    }

    /// <summary>Cancels a running or paused workflow; its keys expire after the retention. False if it had ended.</summary>
    public async Task<bool> CancelAsync(string id)
    {
        var name = (await Store.LoadAsync(id).ConfigureAwait(false))?.Name ?? "";
        var cancelled = Event(WorkflowEventTypes.Cancelled, id, name, from: "running", to: "cancelled");
        if (!await Store.SetStatusAsync(id, [WorkflowStatus.Running, WorkflowStatus.Paused], WorkflowStatus.Cancelled, null,
            Emit(cancelled), _options.Retention).ConfigureAwait(false))
        {
            return false;
        }
        await RecordEndAsync(id, Reactor.Metrics.ReactorMeter.Cancelled).ConfigureAwait(false);
        _relay?.Signal();
        Abandon(id);
        return true;
    }

    /// <summary>The workflow's status, or null when unknown or expired.</summary>
    public async Task<WorkflowStatus?> StatusAsync(string id) => (await Store.LoadAsync(id).ConfigureAwait(false))?.Status;

    /// <summary>Every recorded transition of the workflow, oldest first.</summary>
    public async Task<IReadOnlyList<WorkflowTransition>> HistoryAsync(string id) =>
        [.. (await Store.HistoryAsync(id).ConfigureAwait(false)).Select(h => JsonSerializer.Deserialize<WorkflowTransition>(h)!)];

    /// <summary>
    /// Re-sends every pending task (jobs this engine is not already running, and queue messages),
    /// finishes running steps left with no pending task, then advances. Duplicates this may cause are
    /// harmless: a task's result counts once.
    /// </summary>
    private async Task ContinueAsync(string id)
    {
        var record = await Store.LoadAsync(id).ConfigureAwait(false);
        if (record is not { Status: WorkflowStatus.Running } || !_definitions.TryGetValue(record.Name, out var definition))
        {
            return;
        }
        var running = definition.Steps.Where(s => record.StepState(s.Name) == StepState.Running).Select(s => s.Name).ToList();
        var pending = await Store.PendingTasksAsync(id, running).ConfigureAwait(false);
        var messages = new List<string>();
        foreach (var task in pending)
        {
            var input = record.Inputs.GetValueOrDefault(task.Step, "{}");
            if (task.Kind == TaskSpec.QueueKind)
            {
                messages.Add(TaskMessage(record, task, input));
            }
            else if (task.Kind == TaskSpec.JobKind && !_inflight.Keys.Any(d => d.WorkflowId == id && d.Spec.Id == task.Id))
            {
                RunJob(record, task, input);
            }
            else if (task.Kind == "invalid")
            {
                await TaskFailedAsync(id, record.Name, task, $"step '{task.Step}' could not create its tasks").ConfigureAwait(false);
            }
        }
        if (messages.Count > 0)
        {
            await Store.AppendOutboxAsync(Name, messages).ConfigureAwait(false);
            _relay?.Signal();
        }
        foreach (var step in running.Where(s => !pending.Any(p => p.Step == s)))
        {
            if (await Store.FinishEmptyStepAsync(id, step, Emit(StepFinished(record, step))).ConfigureAwait(false))
            {
                _metrics.StepFinished(record.Name, step, succeeded: true);
            }
        }
        await AdvanceAsync(id).ConfigureAwait(false);
    }
}
