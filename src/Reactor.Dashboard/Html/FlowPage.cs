using Reactor.Json;
using System.Text;
using Reactor.Dashboard.Data;
using static Reactor.Dashboard.Html.Html;

namespace Reactor.Dashboard.Html;

/// <summary>One fork/join scope: its events in emission order and its triggers (waiting or fired, with their tasks).</summary>
internal static class FlowPage
{
    private const int DataShown = 400;

    public static Page Render(FlowModel m, string basePath)
    {
        var html = new StringBuilder().Problem(m.Problem);
        html.Append("<h1>Flow <span class=\"id\">").Append(E(m.Scope)).Append("</span></h1>");
        if (m.Details is not { } d)
        {
            html.Append("<p class=\"banner\" id=\"not-found\">This scope holds no events or triggers: it is unknown, or its state expired. ")
                .Append("This page updates if it appears.</p>");
            return new Page(m.Problem is null ? 404 : 200, "Flow not found", html.ToString());
        }
        if (d.Scope.StartsWith("run:", StringComparison.Ordinal))
        {
            html.Append($"<p>Started by job <a href=\"{E(basePath)}/jobs/{E(U(d.Scope[4..]))}\">").Append(E(d.Scope[4..])).Append("</a>.</p>");
        }
        html.Append("<section><h2>Triggers</h2>");
        if (d.Triggers.Count == 0)
        {
            html.Append("<p class=\"muted\">No triggers.</p>");
        }
        else
        {
            html.Append("<div class=\"scroll\"><table id=\"triggers\"><thead><tr><th>Task</th><th>State</th><th>Waits for</th><th>Missing</th><th>Delay</th><th>Data</th><th>Trigger</th></tr></thead><tbody>");
            foreach (var t in d.Triggers)
            {
                var state = t.Fired ? "fired" : t.Missing.Count == 0 ? "ready" : "waiting";
                html.Append($"<tr class=\"trigger\" data-state=\"{state}\"><td>").Append(t.Task is null ? "<span class=\"muted\">unreadable</span>" : E(t.Task))
                    .Append("</td><td>").Append(state).Append("</td><td>").Append(E(string.Join(", ", t.Events)))
                    .Append("</td><td>").Append(E(string.Join(", ", t.Missing))).Append("</td><td>").Append(t.Delay > TimeSpan.Zero ? Duration(t.Delay) : "")
                    .Append("</td><td class=\"args\"><code>").Append(Cut(JsonText.Write(t.Data, indented: false), DataShown))
                    .Append("</code></td><td><code>").Append(E(t.Id)).Append("</code></td></tr>");
            }
            html.Append("</tbody></table></div>");
        }
        html.Append("</section><section><h2>Events</h2>");
        if (d.Events.Count == 0)
        {
            html.Append("<p class=\"muted\">No events emitted.</p>");
        }
        else
        {
            html.Append("<div class=\"scroll\"><table id=\"events\"><thead><tr><th>#</th><th>Event</th><th>Data</th></tr></thead><tbody>");
            var i = 0;
            foreach (var e in d.Events)
            {
                html.Append($"<tr class=\"event\"><td>{++i}</td><td>").Append(E(e.Name)).Append("</td><td class=\"args\"><code>")
                    .Append(Cut(JsonText.Write(e.Data, indented: false), DataShown)).Append("</code></td></tr>");
            }
            html.Append("</tbody></table></div>");
        }
        html.Append("</section>");
        return new Page(200, "Flow " + m.Scope, html.ToString());
    }
}
