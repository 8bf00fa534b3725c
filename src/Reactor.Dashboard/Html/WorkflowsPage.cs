using System.Text;
using Reactor.Dashboard.Data;
using static Reactor.Dashboard.Html.Html;

namespace Reactor.Dashboard.Html;

/// <summary>The workflows list: every workflow newest first, or the running and paused ones, a page at a time.</summary>
internal static class WorkflowsPage
{
    public static Page Render(WorkflowsModel model, string basePath, int pageSize)
    {
        var q = model.Query;
        var html = new StringBuilder().Problem(model.Problem);
        html.Append("<h1>Workflows</h1><nav class=\"tabs\" aria-label=\"workflow filter\">")
            .Append($"<a href=\"{E(basePath)}/workflows\"{(q.ActiveOnly ? "" : " aria-current=\"page\"")}>All</a>")
            .Append($"<a href=\"{E(basePath)}/workflows?view=active\"{(q.ActiveOnly ? " aria-current=\"page\"" : "")}>Running and paused</a>")
            .Append("</nav>")
            .Append($"<div class=\"filters\"><form method=\"get\" action=\"{E(basePath)}/workflows/find\" role=\"search\">")
            .Append("<label>Workflow id <input name=\"id\" required autocomplete=\"off\"></label> <button type=\"submit\">Open</button></form></div>");
        if (model.Rows.Count == 0)
        {
            html.Append("<p class=\"muted\" id=\"no-workflows\">No workflows here.</p>");
        }
        else
        {
            html.Append("<div class=\"scroll\"><table id=\"workflows\"><thead><tr><th>Workflow</th><th>Name</th><th>Status</th><th>Created</th><th>Engine</th><th>Error</th></tr></thead><tbody>");
            foreach (var w in model.Rows)
            {
                var status = w.Status.ToString().ToLowerInvariant();
                html.Append($"<tr class=\"workflow\" data-status=\"{status}\"><td><a href=\"{E(basePath)}/workflows/{E(U(w.Id))}\">").Append(E(w.Id))
                    .Append("</a></td><td>").Append(Cut(w.Name, 80)).Append("</td><td>").Append(status).Append("</td><td>").Append(Time(w.CreatedAt))
                    .Append("</td><td>").Append(w.Owner is null ? "<span class=\"muted\">none yet</span>" : E(w.Owner))
                    .Append("</td><td class=\"error\">").Append(Cut(OverviewPage.FirstLine(w.Error), 120)).Append("</td></tr>");
            }
            html.Append("</tbody></table></div>");
        }
        var filter = q.ActiveOnly ? "view=active&amp;" : "";
        html.Append("<nav class=\"pager\" aria-label=\"pages\">");
        if (q.Offset > 0)
        {
            html.Append($"<a href=\"{E(basePath)}/workflows?{filter}offset={Math.Max(0, q.Offset - pageSize)}\" rel=\"prev\">← Newer</a>");
        }
        html.Append($"<span>{Math.Min(q.Offset + 1, model.Total):N0}–{Math.Min(q.Offset + pageSize, model.Total):N0} of {model.Total:N0}</span>");
        if (q.Offset + pageSize < model.Total)
        {
            html.Append($"<a href=\"{E(basePath)}/workflows?{filter}offset={q.Offset + pageSize}\" rel=\"next\">Older →</a>");
        }
        html.Append("</nav>");
        return new Page(200, "Workflows", html.ToString());
    }
}
