using System.Text;
using Reactor.Dashboard.Data;
using static Reactor.Dashboard.Html.Html;

namespace Reactor.Dashboard.Html;

/// <summary>The fork/join scopes (one per run, and the global one), most recently used first.</summary>
internal static class FlowsPage
{
    public static Page Render(FlowsModel model, string basePath, int pageSize)
    {
        var html = new StringBuilder().Problem(model.Problem);
        html.Append("<h1>Fork/join flows</h1><p class=\"muted\">Events and triggers of each run (<code>run:</code> and the id of the job that started it) ")
            .Append("and of the global scope, kept one flow retention after their last use.</p>")
            .Append($"<div class=\"filters\"><form method=\"get\" action=\"{E(basePath)}/flows/find\" role=\"search\">")
            .Append("<label>Run id <input name=\"id\" required autocomplete=\"off\"></label> <button type=\"submit\">Open</button></form></div>");
        if (model.Rows.Count == 0)
        {
            html.Append("<p class=\"muted\" id=\"no-flows\">No fork/join state here.</p>");
        }
        else
        {
            html.Append("<div class=\"scroll\"><table id=\"flows\"><thead><tr><th>Scope</th><th>Run</th><th>Last used</th></tr></thead><tbody>");
            foreach (var f in model.Rows)
            {
                var run = f.Scope.StartsWith("run:", StringComparison.Ordinal) ? f.Scope[4..] : null;
                html.Append($"<tr class=\"flow\"><td><a href=\"{E(basePath)}/flows/{E(U(f.Scope))}\">").Append(E(f.Scope)).Append("</a></td><td>")
                    .Append(run is null ? "<span class=\"muted\">global</span>" : $"<a href=\"{E(basePath)}/jobs/{E(U(run))}\">first job</a>")
                    .Append("</td><td>").Append(Time(f.LastUsed)).Append("</td></tr>");
            }
            html.Append("</tbody></table></div>");
        }
        html.Append("<nav class=\"pager\" aria-label=\"pages\">");
        if (model.Offset > 0)
        {
            html.Append($"<a href=\"{E(basePath)}/flows?offset={Math.Max(0, model.Offset - pageSize)}\" rel=\"prev\">← Newer</a>");
        }
        html.Append($"<span>{Math.Min(model.Offset + 1, model.Total):N0}–{Math.Min(model.Offset + pageSize, model.Total):N0} of {model.Total:N0}</span>");
        if (model.Offset + pageSize < model.Total)
        {
            html.Append($"<a href=\"{E(basePath)}/flows?offset={model.Offset + pageSize}\" rel=\"next\">Older →</a>");
        }
        html.Append("</nav>");
        return new Page(200, "Flows", html.ToString());
    }
}
