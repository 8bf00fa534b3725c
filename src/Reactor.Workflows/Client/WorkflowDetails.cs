namespace Reactor.Workflows;

/// <summary>One row of <see cref="WorkflowClient.ListAsync"/>: a workflow without its steps and payload.</summary>
/// <param name="Id">The workflow id.</param>
/// <param name="Name">The workflow definition's name.</param>
/// <param name="Status">Where the workflow is.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="Owner">The engine driving it; null until an engine adopted it.</param>
/// <param name="Error">Why it failed, or null.</param>
public sealed record WorkflowSummary(string Id, string Name, WorkflowStatus Status, DateTimeOffset CreatedAt, string? Owner, string? Error);

/// <summary>One page of workflows, newest first.</summary>
/// <param name="Items">The workflows on this page.</param>
/// <param name="Total">How many the listing holds in all (ended workflows leave it once their retention passed).</param>
public sealed record WorkflowListPage(IReadOnlyList<WorkflowSummary> Items, long Total);

/// <summary>A workflow with its step graph, task counts, tasks and history (see <see cref="WorkflowClient.GetDetailsAsync"/>).</summary>
/// <param name="Workflow">The workflow's summary.</param>
/// <param name="Payload">The JSON object it was started with.</param>
/// <param name="Steps">Every step of its definition, in definition (dependency) order, with its state and counts.</param>
/// <param name="Tasks">Its tasks, at most the number asked for, ordered by step then id.</param>
/// <param name="TaskCount">How many tasks it registered in all.</param>
/// <param name="History">Its recorded transitions, oldest first.</param>
public sealed record WorkflowDetails(WorkflowSummary Workflow, string Payload, IReadOnlyList<WorkflowStepDetails> Steps,
    IReadOnlyList<WorkflowTaskDetails> Tasks, int TaskCount, IReadOnlyList<WorkflowTransition> History);

/// <summary>
/// One step: its place in the graph as the definition declared it, and its state. Workflows stored by a
/// version that did not keep the graph show their step names only (no dependencies, no handlers).
/// </summary>
/// <param name="Name">The step (phase) name.</param>
/// <param name="Depends">Steps that must finish before it starts (a fork when several steps depend on one, a join when it depends on several).</param>
/// <param name="AnyDependency">It starts when any one dependency finished rather than all.</param>
/// <param name="OnError">The step entered when one of its tasks fails, or null.</param>
/// <param name="IsInitial">It starts when the workflow starts.</param>
/// <param name="IsFinal">Declared final.</param>
/// <param name="Handlers">What its tasks run: job names, or <c>queue:NAME</c> for AMQP workers (a fan-out's chain included).</param>
/// <param name="FanOutItems">The input list key it fans out over, or null.</param>
/// <param name="Status">Its state.</param>
/// <param name="Tasks">Tasks registered for it.</param>
/// <param name="Finished">Of those, finished.</param>
/// <param name="Pending">Of those, not finished (running, or left behind by a failure or cancellation).</param>
public sealed record WorkflowStepDetails(string Name, IReadOnlyList<string> Depends, bool AnyDependency, string? OnError, bool IsInitial,
    bool IsFinal, IReadOnlyList<string> Handlers, string? FanOutItems, WorkflowStepStatus Status, int Tasks, int Finished, int Pending);

/// <summary>One task of a workflow.</summary>
/// <param name="Id">The task id (<c>step/h0</c>, <c>step/i3</c>, ...).</param>
/// <param name="Step">Its step.</param>
/// <param name="Kind"><c>job</c> (a Reactor job) or <c>queue</c> (an AMQP worker).</param>
/// <param name="Target">The job name or queue.</param>
/// <param name="Finished">Its result was recorded.</param>
public sealed record WorkflowTaskDetails(string Id, string Step, string Kind, string Target, bool Finished);
