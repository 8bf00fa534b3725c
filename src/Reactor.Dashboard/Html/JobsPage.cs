using Reactor.Json;
using System.Text;
using Reactor.Dashboard.Data;
using static Reactor.Dashboard.Html.Html;

namespace Reactor.Dashboard.Html;

/// <summary>The jobs list: one status (or one node, one job name, or the recent results) a page at a time.</summary>
internal static class JobsPage
{
    private const int ArgsPreview = 120;

    public static Page Render(JobsModel model, string basePath, int pageSize, bool canAct)
    {
        var q = model.Query;
        var html = new StringBuilder().Problem(model.Problem);
        html.Append("<nav class=\"tabs\" aria-label=\"job status\">");
        foreach (var (status, name, label) in StatusNames.All)
        {
            var count = model.Counts is { } c ? $" <b>{c.GetValueOrDefault(status):N0}</b>" : "";
            var current = q.Node is null && q.Name is null && q.IdPrefix is null && q.View == name ? " aria-current=\"page\"" : "";
            html.Append($"<a href=\"{E(basePath)}/jobs?status={name}\"{current}>{E(label)}{count}</a>");
        }
        var recent = q.Node is null && q.Name is null && q.View == JobsQuery.Recent ? " aria-current=\"page\"" : "";
        html.Append($"<a href=\"{E(basePath)}/jobs?status=recent\"{recent}>Recent results</a></nav>");

        html.Append($"<div class=\"filters\"><form method=\"get\" action=\"{E(basePath)}/jobs/find\" role=\"search\">")
            .Append("<label>Job id or its start <input name=\"id\" required autocomplete=\"off\"").Append(q.IdPrefix is { } p ? $" value=\"{E(p)}\"" : "")
            .Append("></label> <button type=\"submit\">Find</button></form>");
        if (model.Nodes.Count > 0)
        {
            html.Append($"<form method=\"get\" action=\"{E(basePath)}/jobs\"><label>Node <select name=\"node\">");
            foreach (var node in model.Nodes)
            {
                html.Append("<option").Append(node == q.Node ? " selected" : "").Append(" value=\"").Append(E(node)).Append("\">").Append(E(node)).Append("</option>");
            }
            html.Append("</select></label> <button type=\"submit\">Show</button></form>");
        }
        if (model.Names.Count > 0)
        {
            html.Append($"<form method=\"get\" action=\"{E(basePath)}/jobs\"><label>Job name <select name=\"name\" id=\"name-filter\">");
            foreach (var name in model.Names)
            {
                html.Append("<option").Append(name == q.Name ? " selected" : "").Append(" value=\"").Append(E(name)).Append("\">").Append(E(name)).Append("</option>");
            }
            html.Append("</select></label> <button type=\"submit\">Show</button></form>");
        }
        html.Append("</div>");

        if (q.IdPrefix is not null)
        {
            html.Append("<h2 id=\"prefix-results\">Records whose id starts with <code>").Append(E(q.IdPrefix)).Append("</code></h2>");
        }
        else if (q.Node is not null)
        {
            html.Append("<h2>Records of node ").Append(E(q.Node)).Append("</h2>");
        }
        else if (q.Name is not null)
        {
            html.Append("<h2 id=\"name-results\">Records of job <code>").Append(E(q.Name)).Append("</code></h2>");
        }
        if (canAct && q.Node is null && q.Name is null && StatusNames.Parse(q.View) is JobStatus.Failed or JobStatus.Cancelled && model.Total > 0)
        {
            var confirm = $"This acts on up to {DashboardActions.BulkLimit:N0} {q.View} jobs. Go on?";
            html.Append("<div class=\"bulk\">")
                .Append(PostButton($"{basePath}/jobs/bulk?status={q.View}&action=retry", $"Retry all {q.View}", "", confirm, "<input type=\"hidden\" name=\"confirm\" value=\"yes\">"))
                .Append(PostButton($"{basePath}/jobs/bulk?status={q.View}&action=delete", $"Delete all {q.View}", "danger", confirm, "<input type=\"hidden\" name=\"confirm\" value=\"yes\">"))
                .Append("</div>");
        }
        if (model.Rows.Count == 0)
        {
            html.Append("<p class=\"muted\" id=\"no-jobs\">No jobs here.</p>");
        }
        else
        {
            html.Append("<div class=\"scroll\"><table id=\"jobs\"><thead><tr><th>Job</th><th>Name</th><th>Status</th><th>Node</th><th>Attempt</th><th>Next run</th><th>Period</th><th>When</th><th>Error</th><th>Args</th></tr></thead><tbody>");
            foreach (var r in model.Rows)
            {
                html.Append($"<tr class=\"job\" data-status=\"{E(r.Status)}\"><td><a href=\"{E(basePath)}/jobs/{E(U(r.Id))}\">").Append(E(r.Id)).Append("</a></td><td>")
                    .Append($"<a class=\"name\" href=\"{E(basePath)}/jobs?name={E(U(r.Name))}\">").Append(Cut(r.Name, 80)).Append("</a></td><td>").Append(E(r.Status)).Append(Progress(r)).Append("</td><td>").Append(E(r.Node))
                    .Append("</td><td>").Append(r.Attempt?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "")
                    .Append("</td><td>").Append(Time(r.RunAt)).Append("</td><td>").Append(r.Period is null ? "" : Duration(r.Period))
                    .Append("</td><td>").Append(Time(r.At)).Append("</td><td class=\"error\">").Append(Cut(OverviewPage.FirstLine(r.Error), 120))
                    .Append("</td><td class=\"args\"><code>").Append(r.Args is null ? "" : Cut(JsonText.Write(r.Args, indented: false), ArgsPreview))
                    .Append("</code></td></tr>");
            }
            html.Append("</tbody></table></div>");
        }
        Pager(html, model, basePath, pageSize);
        return new Page(200, "Jobs", html.ToString());
    }

    /// <summary>A running job's last reported progress (message type 12, kept on its record), as a bar and text.</summary>
    internal static string Progress(JobRow r)
    {
        if (r.Progress is not { } fraction)
        {
            return "";
        }
        var percent = Math.Clamp(fraction, 0, 1) * 100;
        var text = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{percent:0}%");
        return $"<div class=\"progress\"><progress max=\"100\" value=\"{text.TrimEnd('%')}\">{text}</progress> <span class=\"progress-text\">{text}" +
               (r.ProgressMessage is { Length: > 0 } m ? " " + Cut(m, 80) : "") + "</span></div>";
    }

    private static void Pager(StringBuilder html, JobsModel model, string basePath, int pageSize)
    {
        if (model.Query.IdPrefix is not null)
        {
            html.Append($"<p class=\"muted\">At most {pageSize} matches, in id order; type more of the id to narrow them.</p>");
            return;
        }
        var q = model.Query;
        var filter = q.Node is not null ? $"node={U(q.Node)}" : q.Name is not null ? $"name={U(q.Name)}" : $"status={U(q.View)}";
        var last = Math.Max(0, model.Total - 1);
        html.Append("<nav class=\"pager\" aria-label=\"pages\">");
        if (q.Offset > 0)
        {
            html.Append($"<a href=\"{E(basePath)}/jobs?{E(filter)}&amp;offset={Math.Max(0, q.Offset - pageSize)}\" rel=\"prev\">← Newer</a>");
        }
        html.Append($"<span>{Math.Min(q.Offset + 1, model.Total):N0}–{Math.Min(q.Offset + pageSize, model.Total):N0} of {model.Total:N0}</span>");
        if (q.Offset + pageSize <= last)
        {
            html.Append($"<a href=\"{E(basePath)}/jobs?{E(filter)}&amp;offset={q.Offset + pageSize}\" rel=\"next\">Older →</a>");
        }
        html.Append("</nav>");
    }
}
