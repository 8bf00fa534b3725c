using System.Text.Json.Nodes;

namespace Reactor.Workflows;

/// <summary>Where a workflow is.</summary>
public enum WorkflowStatus
{
    /// <summary>Steps are running or about to.</summary>
    Running,
    /// <summary>Paused: results of tasks still running are recorded, nothing new starts until resumed.</summary>
    Paused,
    /// <summary>Every reachable step finished (possibly through an error transition; see <see cref="WorkflowResult.Error"/>).</summary>
    Finished,
    /// <summary>A task failed after its retries and its step had no error transition.</summary>
    Failed,
    /// <summary>Cancelled by the application.</summary>
    Cancelled,
}

/// <summary>How a workflow ended.</summary>
/// <param name="Id">The workflow id.</param>
/// <param name="Name">The workflow definition's name.</param>
/// <param name="Status">Finished, Failed or Cancelled.</param>
/// <param name="Output">The payload merged with every finished step's output.</param>
/// <param name="Error">Why it failed; for a workflow that finished through an error transition, the error it handled.</param>
public sealed record WorkflowResult(string Id, string Name, WorkflowStatus Status, JsonObject Output, string? Error)
{
    /// <summary>True when <see cref="Status"/> is <see cref="WorkflowStatus.Finished"/>.</summary>
    public bool Succeeded => Status == WorkflowStatus.Finished;
}

/// <summary>One recorded transition of a workflow, as <c>reactor workflow status</c> lists them.</summary>
/// <param name="WorkflowId">The workflow id.</param>
/// <param name="Type">The event's routing key, e.g. <c>workflow.phase.started</c>.</param>
/// <param name="Step">The step (phase) concerned, if any.</param>
/// <param name="From">State or step(s) left.</param>
/// <param name="To">State or step entered.</param>
/// <param name="At">When, from the engine's clock.</param>
public sealed record WorkflowTransition(string WorkflowId, string Type, string? Step, string From, string To, DateTimeOffset At);
