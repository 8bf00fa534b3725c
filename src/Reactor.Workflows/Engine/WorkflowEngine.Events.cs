using System.Text.Json;
using System.Text.Json.Nodes;
using Reactor.Workflows.Engine;
using Reactor.Workflows.Events;
using Reactor.Workflows.Store;

namespace Reactor.Workflows;

public sealed partial class WorkflowEngine
{
    private static readonly string[] Terminal = [WorkflowEventTypes.Finished, WorkflowEventTypes.Failed, WorkflowEventTypes.Cancelled];

    private WorkflowEvent Event(string type, string id, string name, string? step = null, string? taskId = null,
        string? from = null, string? to = null, JsonObject? output = null, string? error = null) => new()
    {
        EventId = Guid.NewGuid().ToString("N"),
        Type = type,
        WorkflowId = id,
        Workflow = name,
        Step = step,
        TaskId = taskId,
        From = from,
        To = to,
        At = _time.GetUtcNow(),
        Output = output,
        Error = error,
    };

    private WorkflowEvent StepFinished(WorkflowRecord record, string step) =>
        Event(WorkflowEventTypes.PhaseFinished, record.Id, record.Name, step, from: step, to: "finished");

    /// <summary>
    /// What a transition writes with it: a history entry per event (task events excepted: they are
    /// counted, not transitions) and an outbox entry per event and per task message.
    /// </summary>
    private Outgoing Emit(IEnumerable<WorkflowEvent> events, IEnumerable<string>? messages = null)
    {
        var list = events.ToList();
        var history = list.Where(e => e.Type != WorkflowEventTypes.TaskFinished)
            .Select(e => JsonSerializer.Serialize(new WorkflowTransition(e.WorkflowId, e.Type, e.Step, e.From ?? "", e.To ?? "", e.At)))
            .ToList();
        return new Outgoing(Name, history, [.. list.Select(OutboxEntry.ForEvent), .. messages ?? []]);
    }

    private Outgoing Emit(WorkflowEvent single) => Emit([single]);

    /// <summary>Called by the relay, in outbox order, once an event was published.</summary>
    private void Deliver(WorkflowEvent workflowEvent)
    {
        Action<WorkflowEvent>[] subscribers;
        lock (_subscribers)
        {
            subscribers = [.. _subscribers];
        }
        foreach (var subscriber in subscribers)
        {
            try
            {
                subscriber(workflowEvent);
            }
            catch (Exception e)
            {
                // One faulty subscriber must not stop the others or the relay.
                LogSubscriberFailed(_logger, workflowEvent.Type, e.Message);
            }
        }
        if (Terminal.Contains(workflowEvent.Type))
        {
            var status = workflowEvent.Type switch
            {
                WorkflowEventTypes.Finished => WorkflowStatus.Finished,
                WorkflowEventTypes.Failed => WorkflowStatus.Failed,
                _ => WorkflowStatus.Cancelled,
            };
            Complete(new WorkflowResult(workflowEvent.WorkflowId, workflowEvent.Workflow, status,
                workflowEvent.Output ?? new JsonObject(), workflowEvent.Error));
        }
    }

    private void Complete(WorkflowResult result)
    {
        if (_waiters.TryRemove(result.Id, out var waiter))
        {
            waiter.TrySetResult(result);
        }
    }

    /// <summary>The result of a workflow that has ended (on any engine), or null while it runs.</summary>
    private async Task<WorkflowResult?> ResultIfEndedAsync(string id)
    {
        var record = await Store.LoadAsync(id).ConfigureAwait(false);
        if (record is null || record.Status is WorkflowStatus.Running or WorkflowStatus.Paused)
        {
            return null;
        }
        var output = _definitions.TryGetValue(record.Name, out var definition)
            ? await WorkflowOutputAsync(record, definition).ConfigureAwait(false)
            : JsonData.ParseObject(record.Payload);
        return new WorkflowResult(id, record.Name, record.Status, output, record.Error);
    }
}
