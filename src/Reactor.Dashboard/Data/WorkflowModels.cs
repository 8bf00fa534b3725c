using Reactor.Workflows;

namespace Reactor.Dashboard.Data;

/// <summary>Which workflows list: all (newest first) or only running and paused ones.</summary>
internal sealed record WorkflowsQuery(bool ActiveOnly, long Offset);

/// <summary>A page of the workflows list; <see cref="Problem"/> says why it is empty when Redis could not be read.</summary>
internal sealed record WorkflowsModel(WorkflowsQuery Query, IReadOnlyList<WorkflowSummary> Rows, long Total, string? Problem);

/// <summary>One workflow's page; <see cref="Details"/> is null when unknown, expired or unreadable.</summary>
internal sealed record WorkflowModel(string Id, WorkflowDetails? Details, string? Problem);

/// <summary>A page of fork/join scopes.</summary>
internal sealed record FlowsModel(long Offset, IReadOnlyList<FlowScopeSummary> Rows, long Total, string? Problem);

/// <summary>One fork/join scope's page; <see cref="Details"/> is null when it holds nothing or could not be read.</summary>
internal sealed record FlowModel(string Scope, FlowScopeDetails? Details, string? Problem);
