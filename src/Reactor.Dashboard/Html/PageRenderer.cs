using System.Globalization;
using Microsoft.AspNetCore.Http;
using Reactor.Dashboard.Data;

namespace Reactor.Dashboard.Html;

/// <summary>Maps a path under the dashboard (without its base) and query to a rendered page body.</summary>
internal sealed class PageRenderer(DashboardReader reader, DashboardOptions options, string basePath)
{
    public async Task<Page> RenderAsync(string path, IQueryCollection query, CancellationToken cancellationToken)
    {
        var parts = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        var canAct = !options.ReadOnly;
        switch (parts)
        {
            case []:
                return OverviewPage.Render(await reader.OverviewAsync(cancellationToken).ConfigureAwait(false), basePath);
            case ["jobs"]:
                var jobs = await reader.JobsAsync(Query(query), cancellationToken).ConfigureAwait(false);
                return JobsPage.Render(jobs, basePath, reader.PageSize, canAct);
            case ["jobs", var id]:
                var job = await reader.JobAsync(Uri.UnescapeDataString(id), cancellationToken).ConfigureAwait(false);
                return JobPage.Render(job, basePath, canAct, reader.Source.Distributor is not null);
            case ["workflows"]:
                var active = query["view"] == "active";
                _ = long.TryParse(query["offset"], NumberStyles.None, CultureInfo.InvariantCulture, out var skip);
                var workflows = await reader.WorkflowsAsync(new WorkflowsQuery(active, Math.Max(0, skip)), cancellationToken).ConfigureAwait(false);
                return WorkflowsPage.Render(workflows, basePath, reader.PageSize);
            case ["workflows", var workflowId]:
                var workflow = await reader.WorkflowAsync(Uri.UnescapeDataString(workflowId), cancellationToken).ConfigureAwait(false);
                return WorkflowPage.Render(workflow, basePath, canAct);
            case ["flows"]:
                _ = long.TryParse(query["offset"], NumberStyles.None, CultureInfo.InvariantCulture, out var from);
                return FlowsPage.Render(await reader.FlowsAsync(Math.Max(0, from), cancellationToken).ConfigureAwait(false), basePath, reader.PageSize);
            case ["flows", var scope]:
                return FlowPage.Render(await reader.FlowAsync(Uri.UnescapeDataString(scope), cancellationToken).ConfigureAwait(false), basePath);
            default:
                return NotFound();
        }
    }

    public static Page NotFound() => new(404, "Not found", "<h1>Not found</h1><p>There is no such page in the dashboard.</p>");

    private static JobsQuery Query(IQueryCollection query)
    {
        var node = query["node"].ToString();
        var status = query["status"].ToString();
        _ = long.TryParse(query["offset"], NumberStyles.None, CultureInfo.InvariantCulture, out var offset);
        var view = status.Length > 0 && (status == JobsQuery.Recent || StatusNames.Parse(status) is not null) ? status : "failed";
        var prefix = query["prefix"].ToString().Trim();
        var name = query["name"].ToString();
        return new JobsQuery(view, node.Length > 0 ? node : null, Math.Max(0, offset), prefix.Length > 0 ? prefix : null,
            name.Length > 0 ? name : null);
    }
}
