using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Reactor.Workflows;

/// <summary>
/// One workflow event, as published on the exchange (routing key = <see cref="Type"/>, JSON body =
/// this record with snake_case names) and as delivered to <c>OnWorkflowEvent</c> subscribers.
/// Delivery is at least once: <see cref="EventId"/> lets consumers drop a repeat.
/// </summary>
public sealed record WorkflowEvent
{
    /// <summary>Unique per event; the same on a redelivery.</summary>
    [JsonPropertyName("event_id")]
    public required string EventId { get; init; }

    /// <summary>The routing key, one of <see cref="WorkflowEventTypes"/>.</summary>
    [JsonPropertyName("type")]
    public required string Type { get; init; }

    /// <summary>The workflow id.</summary>
    [JsonPropertyName("workflow_id")]
    public required string WorkflowId { get; init; }

    /// <summary>The workflow definition's name.</summary>
    [JsonPropertyName("workflow")]
    public required string Workflow { get; init; }

    /// <summary>The step (phase) for phase and task events.</summary>
    [JsonPropertyName("step")]
    public string? Step { get; init; }

    /// <summary>The task id for task events.</summary>
    [JsonPropertyName("task_id")]
    public string? TaskId { get; init; }

    /// <summary>State or step(s) left.</summary>
    [JsonPropertyName("from")]
    public string? From { get; init; }

    /// <summary>State or step entered.</summary>
    [JsonPropertyName("to")]
    public string? To { get; init; }

    /// <summary>When the transition happened (engine clock).</summary>
    [JsonPropertyName("at")]
    public DateTimeOffset At { get; init; }

    /// <summary>Task output (task.finished) or the merged workflow output (workflow.finished).</summary>
    [JsonPropertyName("output")]
    public JsonObject? Output { get; init; }

    /// <summary>Why something failed.</summary>
    [JsonPropertyName("error")]
    public string? Error { get; init; }
}

/// <summary>The routing keys of <see cref="WorkflowEvent"/>s.</summary>
public static class WorkflowEventTypes
{
    /// <summary>A workflow was started.</summary>
    public const string Created = "workflow.created";
    /// <summary>A step (phase) started and its tasks were sent.</summary>
    public const string PhaseStarted = "workflow.phase.started";
    /// <summary>All tasks of a step finished.</summary>
    public const string PhaseFinished = "workflow.phase.finished";
    /// <summary>A task of a step failed after its retries.</summary>
    public const string PhaseFailed = "workflow.phase.failed";
    /// <summary>One task finished (counted once, however often its result arrived).</summary>
    public const string TaskFinished = "workflow.task.finished";
    /// <summary>The workflow finished; the body carries the merged output.</summary>
    public const string Finished = "workflow.finished";
    /// <summary>The workflow failed.</summary>
    public const string Failed = "workflow.failed";
    /// <summary>The workflow was paused.</summary>
    public const string Paused = "workflow.paused";
    /// <summary>The workflow was resumed.</summary>
    public const string Resumed = "workflow.resumed";
    /// <summary>The workflow was cancelled.</summary>
    public const string Cancelled = "workflow.cancelled";
}
