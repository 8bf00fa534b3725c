namespace Reactor.Dashboard.Html;

/// <summary>The workflows page.</summary>
internal static class WorkflowsPage
{
    public static Page Render() =>
        new(200, "Workflows", "<h1>Workflows</h1><p class=\"muted\">Workflow pages are not built yet; <code>reactor workflow</code> shows a workflow's state and history.</p>");
}
