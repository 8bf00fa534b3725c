using System.Text.Json;
using System.Text.Json.Nodes;
using Reactor.Workflows.Engine;
using Reactor.Workflows.Store;

namespace Reactor.Workflows;

public sealed partial class WorkflowEngine
{
    private async Task<string> CreateAsync(string name, object? payload, string id, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var definition = Definition(name);
        if (_options.RabbitMq is null && definition.Steps.Any(s => s.Handlers.Concat(s.FanOut?.Chain ?? []).Any(h => h.Queue is not null)))
        {
            throw new InvalidOperationException($"workflow '{name}' has queue steps, which need RabbitMQ: set WorkflowOptions.RabbitMq");
        }
        var body = JsonData.ToObject(payload);
        // Current while the first steps start; its context is stored so later steps join this trace too.
        using var span = WorkflowTracing.StartWorkflow(name, id);
        var (traceParent, traceState) = WorkflowTracing.Capture(span);
        var record = new WorkflowRecord(id, name, WorkflowStatus.Running, body.ToJsonString(), _time.GetUtcNow(), Name, null,
            new Dictionary<string, StepState>(), new Dictionary<string, string>(), traceParent, traceState, WorkflowGraph.Describe(definition));
        var created = Event(WorkflowEventTypes.Created, id, name, from: "none", to: "created");
        cancellationToken.ThrowIfCancellationRequested();
        if (!await Store.CreateAsync(record, [.. definition.Steps.Select(s => s.Name)], Emit(created)).ConfigureAwait(false))
        {
            throw new InvalidOperationException($"workflow id {id} exists already");
        }
        _relay?.Signal();
        await AdvanceAsync(id).ConfigureAwait(false);
        return id;
    }

    /// <summary>
    /// Starts every step whose dependencies are met, repeating until none is left (a step with no
    /// tasks finishes at once and may unlock the next), then ends the workflow if nothing runs.
    /// Safe to call any number of times from any engine: each start is a compare-and-set.
    /// </summary>
    private async Task AdvanceAsync(string id)
    {
        while (true)
        {
            var record = await Store.LoadAsync(id).ConfigureAwait(false);
            if (record is not { Status: WorkflowStatus.Running })
            {
                return;
            }
            var definition = Definition(record.Name);
            var startable = definition.Steps
                .Where(s => record.StepState(s.Name) == StepState.Waiting && IsStartable(definition, record, s))
                .ToList();
            if (startable.Count == 0)
            {
                if (!definition.Steps.Any(s => record.StepState(s.Name) == StepState.Running))
                {
                    await EndAsync(record, definition).ConfigureAwait(false);
                }
                return;
            }
            foreach (var step in startable)
            {
                await StartStepAsync(record, definition, step).ConfigureAwait(false);
            }
        }
    }

    private static bool IsStartable(WorkflowDefinition definition, WorkflowRecord record, StepDefinition step)
    {
        if (step.IsInitial || definition.Steps.Any(s => s.OnError == step.Name && record.StepState(s.Name) == StepState.Failed))
        {
            return true;
        }
        if (step.Depends.Count == 0)
        {
            return false;
        }
        return step.AnyDependency
            ? step.Depends.Any(d => record.StepState(d) == StepState.Finished)
            : step.Depends.All(d => record.StepState(d) == StepState.Finished);
    }

    private async Task StartStepAsync(WorkflowRecord record, WorkflowDefinition definition, StepDefinition step)
    {
        var input = await InputAsync(record, definition, step).ConfigureAwait(false);
        var inputJson = input.ToJsonString();
        var (tasks, problem) = Tasks(step, input);
        var from = step.Depends.Where(d => record.StepState(d) == StepState.Finished).ToList();
        var started = Event(WorkflowEventTypes.PhaseStarted, record.Id, record.Name, step.Name,
            from: from.Count > 0 ? string.Join(",", from) : definition.Steps.FirstOrDefault(s => s.OnError == step.Name && record.StepState(s.Name) == StepState.Failed)?.Name ?? "start",
            to: step.Name);
        var messages = tasks.Where(t => t.Kind == TaskSpec.QueueKind).Select(t => TaskMessage(record, t, inputJson));
        var result = await Store.StartStepAsync(record.Id, step.Name, inputJson, tasks, Emit([started], messages)).ConfigureAwait(false);
        if (result != StepStart.Started)
        {
            return;
        }
        _metrics.StepStarted(record.Name, step.Name);
        _relay?.Signal();
        if (problem is not null)
        {
            await TaskFailedAsync(record.Id, record.Name, tasks[0], problem).ConfigureAwait(false);
        }
        else if (tasks.Count == 0)
        {
            if (await Store.FinishEmptyStepAsync(record.Id, step.Name, Emit(StepFinished(record, step.Name))).ConfigureAwait(false))
            {
                _metrics.StepFinished(record.Name, step.Name, succeeded: true);
            }
            _relay?.Signal();
        }
        else
        {
            foreach (var task in tasks.Where(t => t.Kind == TaskSpec.JobKind))
            {
                RunJob(record, task, inputJson);
            }
        }
    }

    /// <summary>The tasks a step starts with; a missing fan-out list yields one placeholder task that fails the step.</summary>
    private static (List<TaskSpec> Tasks, string? Problem) Tasks(StepDefinition step, JsonObject input)
    {
        var tasks = step.Handlers.Select((h, i) => new TaskSpec($"{step.Name}/h{i}", step.Name, h.Queue is null ? TaskSpec.JobKind : TaskSpec.QueueKind,
            h.Queue ?? h.Name, h.Version, null, 0, "merge", i)).ToList();
        if (step.FanOut is { } fanOut)
        {
            if (input[fanOut.ItemListKey] is not JsonArray items)
            {
                return ([new TaskSpec($"{step.Name}/list", step.Name, "invalid", "", null, null, 0, "none", 0)],
                    $"step '{step.Name}' fans out over '{fanOut.ItemListKey}', but its input has no list there");
            }
            var first = fanOut.Chain[0];
            tasks.AddRange(items.Select((item, n) => new TaskSpec($"{step.Name}/i{n}", step.Name, first.Queue is null ? TaskSpec.JobKind : TaskSpec.QueueKind,
                first.Queue ?? first.Name, first.Version, item?.DeepClone(), 0, fanOut.Chain.Count == 1 ? "list" : "none", n)));
        }
        return (tasks, null);
    }

    /// <summary>The payload, merged with the output of every finished step this one depends on (transitively), oldest first.</summary>
    private async Task<JsonObject> InputAsync(WorkflowRecord record, WorkflowDefinition definition, StepDefinition step)
    {
        var input = JsonData.ParseObject(record.Payload);
        foreach (var earlier in definition.Steps.Where(s => record.StepState(s.Name) == StepState.Finished && definition.IsAncestor(s.Name, step.Name)))
        {
            JsonData.MergeInto(input, await StepOutputAsync(record.Id, earlier).ConfigureAwait(false));
        }
        if (definition.Steps.FirstOrDefault(s => s.OnError == step.Name && record.StepState(s.Name) == StepState.Failed) is { } failed)
        {
            input["error"] = record.Error;
            input["failed_step"] = failed.Name;
        }
        return input;
    }

    /// <summary>
    /// Handler outputs merged key by key (in handler order), plus, when the step fans out or its
    /// handlers returned tasks, the list of those tasks' outputs under the step's name.
    /// </summary>
    private async Task<JsonObject> StepOutputAsync(string id, StepDefinition step)
    {
        var finished = await Store.FinishedTasksAsync(id, step.Name).ConfigureAwait(false);
        var output = new JsonObject();
        foreach (var (spec, json) in finished.Where(f => f.Spec.Slot == "merge").OrderBy(f => f.Spec.Order))
        {
            JsonData.MergeInto(output, JsonData.ParseObject(json));
        }
        var listed = finished.Where(f => f.Spec.Slot == "list").OrderBy(f => f.Spec.Order).ThenBy(f => f.Spec.Id, StringComparer.Ordinal).ToList();
        if (listed.Count > 0 || step.FanOut is not null)
        {
            output[step.Name] = new JsonArray([.. listed.Select(f => (JsonNode?)JsonData.ParseObject(f.Output))]);
        }
        return output;
    }

    private async Task<JsonObject> WorkflowOutputAsync(WorkflowRecord record, WorkflowDefinition definition)
    {
        var output = JsonData.ParseObject(record.Payload);
        foreach (var step in definition.Steps.Where(s => record.StepState(s.Name) == StepState.Finished))
        {
            JsonData.MergeInto(output, await StepOutputAsync(record.Id, step).ConfigureAwait(false));
        }
        return output;
    }

    private async Task EndAsync(WorkflowRecord record, WorkflowDefinition definition)
    {
        var output = await WorkflowOutputAsync(record, definition).ConfigureAwait(false);
        var finished = Event(WorkflowEventTypes.Finished, record.Id, record.Name, from: "running", to: "finished", output: output, error: record.Error);
        if (await Store.SetStatusAsync(record.Id, [WorkflowStatus.Running], WorkflowStatus.Finished, null, Emit(finished), _options.Retention).ConfigureAwait(false))
        {
            _metrics.Ended(record.Name, _time.GetUtcNow() - record.CreatedAt, Reactor.Metrics.ReactorMeter.Succeeded);
            _relay?.Signal();
        }
    }

    private static string Serialize<T>(T value) => JsonSerializer.Serialize(value);
}
