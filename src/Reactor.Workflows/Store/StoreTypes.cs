using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Reactor.Workflows.Store;

/// <summary>A step's state in the store. A step never goes back: waiting, running, then finished or failed.</summary>
internal enum StepState
{
    Waiting,
    Running,
    Finished,
    Failed,
}

/// <summary>
/// One task: what to run and with what. Ids are deterministic (<c>step/h0</c> for handler 0,
/// <c>step/i3</c> for fan-out item 3, <c>parent/2</c> for a handler's third returned task,
/// <c>step/i3&gt;1</c> for item 3's second chained step), so a redelivered parent result adds no new tasks.
/// </summary>
/// <c>Slot</c> says where the output goes: "merge" into the step output, "list" into the step's list
/// (at position <c>Order</c>), or "none" (a chained step whose successor carries it on).
internal sealed record TaskSpec(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("step")] string Step,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("target")] string Target,
    [property: JsonPropertyName("version")] string? Version,
    [property: JsonPropertyName("item")] JsonNode? Item,
    [property: JsonPropertyName("sub")] int Sub,
    [property: JsonPropertyName("slot")] string Slot,
    [property: JsonPropertyName("order")] long Order)
{
    public const string JobKind = "job";
    public const string QueueKind = "queue";

    /// <summary>The step a task id belongs to: everything before the first '/' (step names cannot hold one).</summary>
    public static string StepOf(string taskId) => taskId.Split('/', 2)[0];
}

/// <summary>
/// A workflow as stored. <see cref="TraceParent"/>/<see cref="TraceState"/> are the W3C trace context of
/// whoever started it (null when it was started outside any trace, or stored by an older version), the
/// parent of the spans under which its steps' jobs are enqueued. <see cref="Graph"/> is the definition's
/// step graph as <see cref="WorkflowGraph"/> JSON, kept so readers without the definition files (the
/// dashboard) can draw it; null for records stored by an older version.
/// </summary>
internal sealed record WorkflowRecord(
    string Id,
    string Name,
    WorkflowStatus Status,
    string Payload,
    DateTimeOffset CreatedAt,
    string? Owner,
    string? Error,
    IReadOnlyDictionary<string, StepState> Steps,
    IReadOnlyDictionary<string, string> Inputs,
    string? TraceParent = null,
    string? TraceState = null,
    string? Graph = null)
{
    public StepState StepState(string step) => Steps.TryGetValue(step, out var s) ? s : Store.StepState.Waiting;
}

/// <summary>
/// What a transition writes besides state, in the same atomic operation: history entries and outbox
/// entries (events, AMQP task messages) for engine <see cref="Engine"/>'s relay.
/// </summary>
internal sealed record Outgoing(string Engine, IReadOnlyList<string> History, IReadOnlyList<string> Outbox)
{
    public bool IsEmpty => History.Count == 0 && Outbox.Count == 0;
}

/// <summary>What recording a finished task did.</summary>
internal enum TaskFinish
{
    /// <summary>Counted; the step still has tasks pending.</summary>
    Recorded,
    /// <summary>Counted, and it was the step's last: the step is now finished (this caller alone sees this).</summary>
    StepFinished,
    /// <summary>Already counted before: a redelivery. Nothing changed.</summary>
    Duplicate,
    /// <summary>The workflow or step is no longer running, or the task is unknown. Nothing changed.</summary>
    Ignored,
}

/// <summary>What starting a step did.</summary>
internal enum StepStart
{
    /// <summary>This caller moved the step to running and registered its tasks.</summary>
    Started,
    /// <summary>Someone else started it before (a racing engine, or a retry).</summary>
    AlreadyStarted,
    /// <summary>The workflow is not running (paused, ended, or unknown).</summary>
    NotRunning,
}
