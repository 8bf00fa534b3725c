namespace Reactor.Workflows.Store;

/// <summary>
/// Workflow state. Every state change is one atomic compare-and-set, so several engines sharing a
/// store never both make the same transition, and the history and outbox entries a transition
/// produces are written with it or not at all. Implemented in memory and in Redis; one contract
/// test fixture runs against both.
/// </summary>
internal interface IWorkflowStore : IAsyncDisposable
{
    /// <summary>Creates a running workflow; false when the id exists.</summary>
    Task<bool> CreateAsync(WorkflowRecord record, IReadOnlyList<string> steps, Outgoing outgoing);

    /// <summary>The workflow, or null when unknown or expired.</summary>
    Task<WorkflowRecord?> LoadAsync(string id);

    /// <summary>Moves a waiting step of a running workflow to running and registers its tasks.</summary>
    Task<StepStart> StartStepAsync(string id, string step, string input, IReadOnlyList<TaskSpec> tasks, Outgoing outgoing);

    /// <summary>
    /// Records a task's output once (a set of finished task ids makes redeliveries no-ops), adds the
    /// tasks it returned, and finishes the step when none is left pending. Counted while paused too.
    /// <paramref name="onRecorded"/> is written when counted, <paramref name="onStepFinished"/> when the step finished.
    /// </summary>
    Task<TaskFinish> FinishTaskAsync(string id, string taskId, string output, IReadOnlyList<TaskSpec> children,
        Outgoing onRecorded, Outgoing onStepFinished);

    /// <summary>Finishes a running step that has no pending task (zero tasks, or recovery after a crash).</summary>
    Task<bool> FinishEmptyStepAsync(string id, string step, Outgoing onStepFinished);

    /// <summary>Moves a running step to failed because <paramref name="taskId"/> failed; true for the one caller that did.</summary>
    Task<bool> FailStepAsync(string id, string taskId, string error, Outgoing outgoing);

    /// <summary>
    /// Compare-and-set of the workflow status. A terminal status removes the workflow from the active
    /// set and makes all its keys expire after <paramref name="retention"/>.
    /// </summary>
    Task<bool> SetStatusAsync(string id, IReadOnlyList<WorkflowStatus> from, WorkflowStatus to, string? error,
        Outgoing outgoing, TimeSpan retention);

    /// <summary>Compare-and-set of the engine driving the workflow.</summary>
    Task<bool> ClaimAsync(string id, string? expectedOwner, string owner);

    /// <summary>Tasks registered and not yet finished in <paramref name="steps"/>.</summary>
    Task<IReadOnlyList<TaskSpec>> PendingTasksAsync(string id, IReadOnlyList<string> steps);

    /// <summary>Finished tasks of <paramref name="step"/> with their outputs (JSON objects).</summary>
    Task<IReadOnlyList<(TaskSpec Spec, string Output)>> FinishedTasksAsync(string id, string step);

    /// <summary>The workflow's transitions, oldest first.</summary>
    Task<IReadOnlyList<string>> HistoryAsync(string id);

    /// <summary>Ids of workflows not yet finished, failed or cancelled.</summary>
    Task<IReadOnlyList<string>> ActiveAsync();

    /// <summary>One task's spec, or null.</summary>
    Task<TaskSpec?> LoadTaskAsync(string id, string taskId);

    /// <summary>Appends entries to <paramref name="engine"/>'s outbox (task messages sent again on resume or recovery).</summary>
    Task AppendOutboxAsync(string engine, IReadOnlyList<string> entries);

    /// <summary>The oldest outbox entry of <paramref name="engine"/>, or null.</summary>
    Task<string?> PeekOutboxAsync(string engine);

    /// <summary>Removes the oldest outbox entry if it is still <paramref name="entry"/>.</summary>
    Task RemoveOutboxHeadAsync(string engine, string entry);

    /// <summary>Marks <paramref name="engine"/> alive for <paramref name="ttl"/>.</summary>
    Task RenewLeaseAsync(string engine, TimeSpan ttl);

    /// <summary>True while <paramref name="engine"/>'s lease has not expired.</summary>
    Task<bool> LeaseAliveAsync(string engine);
}
