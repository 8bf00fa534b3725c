using Reactor.Workflows.Store;

namespace Reactor.Workflows;

/// <summary>Where a step is. A step never goes back: waiting, running, then finished or failed.</summary>
public enum WorkflowStepStatus
{
    /// <summary>Its dependencies are not met yet.</summary>
    Waiting,
    /// <summary>Its tasks were sent; some have not finished.</summary>
    Running,
    /// <summary>Every task finished.</summary>
    Finished,
    /// <summary>A task failed after its retries.</summary>
    Failed,
}

/// <summary>A workflow as stored (see <see cref="WorkflowClient.GetAsync"/>).</summary>
/// <param name="Id">The workflow id.</param>
/// <param name="Name">The workflow definition's name.</param>
/// <param name="Status">Where the workflow is.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="Owner">The engine driving it; null until an engine adopted it.</param>
/// <param name="Error">Why it failed, or the error an error transition handled; otherwise null.</param>
/// <param name="Steps">The steps that have left <see cref="WorkflowStepStatus.Waiting"/> (a step not listed is waiting).</param>
public sealed record WorkflowInfo(string Id, string Name, WorkflowStatus Status, DateTimeOffset CreatedAt, string? Owner, string? Error,
    IReadOnlyDictionary<string, WorkflowStepStatus> Steps)
{
    internal static WorkflowInfo From(WorkflowRecord record) => new(record.Id, record.Name, record.Status, record.CreatedAt, record.Owner,
        record.Error, record.Steps.ToDictionary(s => s.Key, s => Public(s.Value), StringComparer.Ordinal));

    internal static WorkflowStepStatus Public(StepState state) => state switch
    {
        StepState.Waiting => WorkflowStepStatus.Waiting,
        StepState.Running => WorkflowStepStatus.Running,
        StepState.Finished => WorkflowStepStatus.Finished,
        StepState.Failed => WorkflowStepStatus.Failed,
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "unknown step state"),
    };
}
