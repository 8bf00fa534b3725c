using System.Globalization;
using System.Text;
using Reactor.Dashboard.Data;
using Reactor.Workflows;
using static Reactor.Dashboard.Html.Html;

namespace Reactor.Dashboard.Html;

/// <summary>One workflow: its step graph (SVG), steps with task counts, tasks, history, and pause/resume/cancel.</summary>
internal static class WorkflowPage
{
    public static Page Render(WorkflowModel m, string basePath, bool canAct)
    {
        var html = new StringBuilder().Problem(m.Problem);
        if (m.Details is not { } d)
        {
            html.Append("<h1>Workflow ").Append(E(m.Id)).Append("</h1><p class=\"banner\" id=\"not-found\">No workflow with this id is known: ")
                .Append("it may have expired after its retention. This page updates if it appears.</p>");
            return new Page(m.Problem is null ? 404 : 200, "Workflow not found", html.ToString());
        }
        var w = d.Workflow;
        var status = w.Status.ToString().ToLowerInvariant();
        html.Append("<h1>").Append(Cut(w.Name, 200)).Append(" <span class=\"id\">").Append(E(w.Id)).Append("</span></h1>")
            .Append($"<p>Status: <b class=\"status\" id=\"workflow-status\" data-status=\"{status}\">{status}</b></p>");
        if (canAct)
        {
            var action = $"{basePath}/workflows/{U(w.Id)}/";
            html.Append("<div class=\"actions\">");
            if (w.Status == WorkflowStatus.Running)
            {
                html.Append(PostButton(action + "pause", "Pause"));
            }
            if (w.Status == WorkflowStatus.Paused)
            {
                html.Append(PostButton(action + "resume", "Resume", "primary"));
            }
            if (w.Status is WorkflowStatus.Running or WorkflowStatus.Paused)
            {
                html.Append(PostButton(action + "cancel", "Cancel", "danger", "Cancel this workflow? Its running jobs are cancelled and it cannot be resumed."));
            }
            html.Append("</div>");
        }
        html.Append("<section><h2>Facts</h2><dl class=\"facts\">")
            .Append("<dt>Created</dt><dd>").Append(Time(w.CreatedAt)).Append("</dd>")
            .Append("<dt>Engine</dt><dd>").Append(w.Owner is null ? "<span class=\"muted\">none yet (an engine adopts it at its next sweep)</span>" : E(w.Owner)).Append("</dd>")
            .Append("<dt>Tasks</dt><dd>").Append(d.TaskCount.ToString("N0", CultureInfo.InvariantCulture)).Append("</dd>");
        if (w.Error is not null)
        {
            html.Append("<dt>Error</dt><dd class=\"error\" id=\"workflow-error\">").Append(Cut(w.Error, 4000)).Append("</dd>");
        }
        html.Append("</dl></section>");

        html.Append("<section><h2>Steps</h2>").Append(WorkflowGraphSvg.Render(d.Steps)).Append(Legend());
        html.Append("<div class=\"scroll\"><table id=\"steps\"><thead><tr><th>Step</th><th>State</th><th>After</th><th>Runs</th><th>Tasks</th><th>Finished</th><th>Pending</th></tr></thead><tbody>");
        foreach (var s in d.Steps)
        {
            var state = s.Status.ToString().ToLowerInvariant();
            var after = s.Depends.Count == 0 ? (s.IsInitial ? "start" : "") : string.Join(s.AnyDependency ? " or " : " and ", s.Depends.Select(E));
            var runs = string.Join(", ", s.Handlers.Select(E)) + (s.FanOutItems is { } items ? $" <span class=\"muted\">(one per item of {E(items)})</span>" : "");
            html.Append($"<tr class=\"step\" data-step=\"{E(s.Name)}\" data-status=\"{state}\"><td>").Append(E(s.Name)).Append("</td><td>").Append(state)
                .Append("</td><td>").Append(after).Append(s.OnError is { } onError ? $" <span class=\"muted\">on error → {E(onError)}</span>" : "")
                .Append("</td><td>").Append(runs).Append($"</td><td>{s.Tasks:N0}</td><td>{s.Finished:N0}</td><td>{s.Pending:N0}</td></tr>");
        }
        html.Append("</tbody></table></div></section>");

        html.Append("<section><h2>History</h2>");
        if (d.History.Count == 0)
        {
            html.Append("<p class=\"muted\">No transitions recorded.</p>");
        }
        else
        {
            html.Append("<div class=\"scroll\"><table id=\"history\"><thead><tr><th>When</th><th>Event</th><th>Step</th><th>From</th><th>To</th></tr></thead><tbody>");
            foreach (var h in d.History)
            {
                html.Append("<tr><td>").Append(Time(h.At)).Append("</td><td>").Append(E(h.Type)).Append("</td><td>").Append(E(h.Step))
                    .Append("</td><td>").Append(E(h.From)).Append("</td><td>").Append(E(h.To)).Append("</td></tr>");
            }
            html.Append("</tbody></table></div>");
        }
        html.Append("</section>");

        html.Append("<section><h2>Tasks</h2>");
        if (d.Tasks.Count == 0)
        {
            html.Append("<p class=\"muted\">No task registered yet.</p>");
        }
        else
        {
            html.Append("<div class=\"scroll\"><table id=\"tasks\"><thead><tr><th>Task</th><th>Step</th><th>Kind</th><th>Runs</th><th>State</th></tr></thead><tbody>");
            foreach (var t in d.Tasks)
            {
                html.Append("<tr><td><code>").Append(E(t.Id)).Append("</code></td><td>").Append(E(t.Step)).Append("</td><td>").Append(E(t.Kind))
                    .Append("</td><td>").Append(E(t.Target)).Append("</td><td>").Append(t.Finished ? "finished" : "pending").Append("</td></tr>");
            }
            html.Append("</tbody></table></div>");
            if (d.TaskCount > d.Tasks.Count)
            {
                html.Append($"<p class=\"muted\">The first {d.Tasks.Count:N0} of {d.TaskCount:N0} tasks; the step counts above cover all.</p>");
            }
        }
        html.Append("</section>");
        html.Append("<section><h2>Payload</h2><pre class=\"json\">").Append(Cut(Pretty(d.Payload), 16 * 1024)).Append("</pre></section>");
        return new Page(200, $"Workflow {w.Name}", html.ToString());
    }

    /// <summary>The payload indented, or as stored when it does not parse.</summary>
    private static string Pretty(string json)
    {
        try
        {
            return System.Text.Json.Nodes.JsonNode.Parse(json)?.ToJsonString(PrettyOptions) ?? json;
        }
        catch (System.Text.Json.JsonException)
        {
            return json;
        }
    }

    private static readonly System.Text.Json.JsonSerializerOptions PrettyOptions = new()
    {
        WriteIndented = true,
        // Readable text; the page HTML-encodes the whole output anyway.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static string Legend() =>
        "<p class=\"legend muted\"><span class=\"key st-waiting\"></span> waiting <span class=\"key st-running\"></span> running " +
        "<span class=\"key st-finished\"></span> finished <span class=\"key st-failed\"></span> failed · dashed: error transition</p>";
}
