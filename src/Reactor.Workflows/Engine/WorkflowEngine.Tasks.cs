using System.Text.Json;
using System.Text.Json.Nodes;
using Reactor.Workflows.Engine;
using Reactor.Workflows.Events;
using Reactor.Workflows.Store;

namespace Reactor.Workflows;

public sealed partial class WorkflowEngine
{
    /// <summary>Keys a job adds that are inputs or control, not output.</summary>
    private static readonly HashSet<string> Reserved =
        ["workflow_id", "workflow", "step", "task_id", "payload", "item", "handler_version", "tasks", "error", "job_itself"];

    /// <summary>One task running as a Reactor job; <see cref="Abandoned"/> once pause or cancel let go of it.</summary>
    private sealed class Dispatch(string workflowId, TaskSpec spec)
    {
        public string WorkflowId { get; } = workflowId;
        public TaskSpec Spec { get; } = spec;
        public string? JobId { get; set; }
        public bool Abandoned { get; set; }
    }

    private void RunJob(WorkflowRecord record, TaskSpec spec, string inputJson)
    {
        var (id, name) = (record.Id, record.Name);
        var args = new JobArgs
        {
            ["workflow_id"] = id,
            ["workflow"] = name,
            ["step"] = spec.Step,
            ["task_id"] = spec.Id,
            ["payload"] = JsonData.ToPlain(JsonData.ParseObject(inputJson)),
        };
        if (spec.Item is not null)
        {
            args["item"] = JsonData.ToPlain(spec.Item);
        }
        if (spec.Version is not null)
        {
            args["handler_version"] = spec.Version;
        }
        var dispatch = new Dispatch(id, spec);
        _inflight[dispatch] = 0;
        // Enqueue parents its publish span on Activity.Current: make that the workflow's trace, not
        // whatever this engine thread happens to run under (a job's feedback, a sweep).
        using var span = WorkflowTracing.StartStep(record, spec.Step);
        try
        {
            if (_distributor is null)
            {
                throw new InvalidOperationException("this engine has no distributor to run jobs on");
            }
            dispatch.JobId = _distributor.Enqueue(spec.Target, args, _options.TaskOptions,
                success: a => Settle(dispatch, a, failed: false),
                error: a => Settle(dispatch, a, failed: true));
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            Settle(dispatch, new JobArgs { ["error"] = e.Message }, failed: true);
        }
    }

    /// <summary>A job's final feedback; runs on the distributor's thread, so the work moves to the pool.</summary>
    private void Settle(Dispatch dispatch, JobArgs args, bool failed)
    {
        if (!_inflight.TryRemove(dispatch, out _) || dispatch.Abandoned)
        {
            return; // paused or cancelled: the task stays pending and runs again on resume
        }
        _ = Task.Run(() => failed
            ? TaskFailedAsync(dispatch.WorkflowId, null, dispatch.Spec, ErrorText(args))
            : TaskDoneAsync(dispatch.WorkflowId, dispatch.Spec, Output(args), args.TryGetValue("tasks", out var t) ? JsonData.ToNode(t) as JsonArray : null));
    }

    private static JsonObject Output(JobArgs args) =>
        new(args.Where(kv => !Reserved.Contains(kv.Key)).Select(kv => KeyValuePair.Create(kv.Key, JsonData.ToNode(kv.Value))));

    private static string ErrorText(JobArgs args) => args.TryGetValue("error", out var e) ? JsonData.ToNode(e) switch
    {
        JsonObject o when o["message"] is { } m => m.ToString(),
        { } n => n is JsonValue ? n.ToString() : n.ToJsonString(),
        null => "unknown error",
    } : "unknown error";

    /// <summary>
    /// Records a finished task. Redeliveries are no-ops (the store keeps finished task ids); tasks the
    /// handler returned, or the item's next chained step, become new tasks of the same step.
    /// </summary>
    internal async Task TaskDoneAsync(string id, TaskSpec spec, JsonObject output, JsonArray? returned)
    {
        var record = await Store.LoadAsync(id).ConfigureAwait(false);
        if (record is null)
        {
            return;
        }
        var step = Definition(record.Name)[spec.Step];
        var children = Children(step, spec, output, returned);
        var inputJson = record.Inputs.GetValueOrDefault(spec.Step, "{}");
        var done = Event(WorkflowEventTypes.TaskFinished, id, record.Name, spec.Step, spec.Id, "running", "finished", output);
        var messages = children.Where(c => c.Kind == TaskSpec.QueueKind).Select(c => TaskMessage(record, c, inputJson));
        var result = await Store.FinishTaskAsync(id, spec.Id, output.ToJsonString(), children, Emit([done], messages),
            Emit(StepFinished(record, spec.Step))).ConfigureAwait(false);
        LogTaskResult(_logger, id, spec.Id, result.ToString());
        if (result is TaskFinish.Duplicate or TaskFinish.Ignored)
        {
            return;
        }
        _relay?.Signal();
        if (result == TaskFinish.StepFinished)
        {
            _metrics.StepFinished(record.Name, spec.Step, succeeded: true);
            await AdvanceAsync(id).ConfigureAwait(false);
        }
        else if (record.Status == WorkflowStatus.Running)
        {
            foreach (var child in children.Where(c => c.Kind == TaskSpec.JobKind))
            {
                RunJob(record, child, inputJson);
            }
        }
    }

    private static List<TaskSpec> Children(StepDefinition step, TaskSpec spec, JsonObject output, JsonArray? returned)
    {
        var children = new List<TaskSpec>();
        var local = spec.Id[(step.Name.Length + 1)..];
        if (step.FanOut is { } fanOut && local.StartsWith('i') && !local.Contains('/') && spec.Sub < fanOut.Chain.Count - 1)
        {
            // The item's next step sees the item with this step's output merged in.
            var next = fanOut.Chain[spec.Sub + 1];
            var item = spec.Item as JsonObject is { } o ? (JsonObject)o.DeepClone() : new JsonObject { ["item"] = spec.Item?.DeepClone() };
            JsonData.MergeInto(item, output);
            var last = spec.Sub + 1 == fanOut.Chain.Count - 1;
            children.Add(new TaskSpec($"{step.Name}/{local.Split('>')[0]}>{spec.Sub + 1}",
                step.Name, next.Queue is null ? TaskSpec.JobKind : TaskSpec.QueueKind, next.Queue ?? next.Name, next.Version,
                item, spec.Sub + 1, last ? "list" : "none", spec.Order));
        }
        for (var i = 0; returned is not null && i < returned.Count; i++)
        {
            var element = returned[i];
            var target = spec.Kind == TaskSpec.JobKind && element is JsonObject { } e && e["job"] is JsonValue job ? job.ToString() : spec.Target;
            children.Add(new TaskSpec($"{spec.Id}/{i}", step.Name, spec.Kind, target, spec.Version, element?.DeepClone(), 0, "list",
                spec.Order * 1_000_000 + i));
        }
        return children;
    }

    /// <summary>
    /// A task failed after its retries: the step fails once (compare-and-set), then the workflow takes
    /// the step's error transition or fails.
    /// </summary>
    internal async Task TaskFailedAsync(string id, string? name, TaskSpec spec, string error)
    {
        name ??= (await Store.LoadAsync(id).ConfigureAwait(false))?.Name;
        if (name is null)
        {
            return;
        }
        var failed = Event(WorkflowEventTypes.PhaseFailed, id, name, spec.Step, spec.Id, spec.Step, "failed", error: error);
        if (!await Store.FailStepAsync(id, spec.Id, error, Emit(failed)).ConfigureAwait(false))
        {
            return;
        }
        _relay?.Signal();
        _metrics.StepFinished(name, spec.Step, succeeded: false);
        LogStepFailed(_logger, id, spec.Step, error);
        if (Definition(name)[spec.Step].OnError is not null)
        {
            await AdvanceAsync(id).ConfigureAwait(false);
            return;
        }
        var end = Event(WorkflowEventTypes.Failed, id, name, spec.Step, from: "running", to: "failed", error: error);
        if (await Store.SetStatusAsync(id, [WorkflowStatus.Running, WorkflowStatus.Paused], WorkflowStatus.Failed, error, Emit(end), _options.Retention).ConfigureAwait(false))
        {
            await RecordEndAsync(id, Reactor.Metrics.ReactorMeter.Failed).ConfigureAwait(false);
            _relay?.Signal();
            Abandon(id);
        }
    }

    private string TaskMessage(WorkflowRecord record, TaskSpec task, string inputJson)
    {
        var body = new JsonObject
        {
            ["workflow_id"] = record.Id,
            ["workflow"] = record.Name,
            ["step"] = task.Step,
            ["task_id"] = task.Id,
            ["payload"] = JsonData.ParseObject(inputJson),
            ["item"] = task.Item?.DeepClone(),
        };
        return OutboxEntry.ForTask(task.Target, $"{record.Id}:{task.Id}", body);
    }

    /// <summary>A worker's reply from the reply queue; returning normally lets the link ack it.</summary>
    private async Task OnReplyAsync(string correlationId, ReadOnlyMemory<byte> body)
    {
        var parts = correlationId.Split(':', 2);
        JsonObject? reply;
        try
        {
            reply = JsonNode.Parse(body.Span) as JsonObject;
        }
        catch (JsonException)
        {
            reply = null;
        }
        if (parts.Length != 2 || reply is null)
        {
            LogBadReply(_logger, correlationId);
            return; // acked and dropped: an unreadable reply would otherwise come back forever
        }
        var spec = await Store.LoadTaskAsync(parts[0], parts[1]).ConfigureAwait(false);
        if (spec is null)
        {
            return;
        }
        if (reply["status"]?.ToString() == "ok")
        {
            await TaskDoneAsync(parts[0], spec, reply["output"] as JsonObject is { } o ? (JsonObject)o.DeepClone() : new JsonObject(),
                reply["tasks"] as JsonArray is { } t ? (JsonArray)t.DeepClone() : null).ConfigureAwait(false);
        }
        else
        {
            await TaskFailedAsync(parts[0], null, spec, reply["error"]?.ToString() ?? "the worker replied without status \"ok\"").ConfigureAwait(false);
        }
    }

    /// <summary>Lets go of a workflow's running jobs (pause, cancel, failure); their results will be ignored.</summary>
    private void Abandon(string id)
    {
        foreach (var dispatch in _inflight.Keys.Where(d => d.WorkflowId == id))
        {
            dispatch.Abandoned = true;
            if (_inflight.TryRemove(dispatch, out _) && dispatch.JobId is { } jobId)
            {
                _distributor?.Cancel(jobId);
            }
        }
    }
}
