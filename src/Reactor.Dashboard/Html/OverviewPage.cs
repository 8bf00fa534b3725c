using System.Text;
using Reactor.Dashboard.Data;
using static Reactor.Dashboard.Html.Html;

namespace Reactor.Dashboard.Html;

/// <summary>Nodes, throughput, what waits for a node, job counts by status, recent failures.</summary>
internal static class OverviewPage
{
    public static Page Render(OverviewModel model, string basePath)
    {
        var html = new StringBuilder().Problem(model.Problem);
        var s = model.Snapshot;
        if (s is null)
        {
            html.Append("<div class=\"banner\">No distributor is running (or none published a snapshot to Redis in the last 15 s).</div>");
        }
        else
        {
            html.Append("<section class=\"cards\">")
                .Append(Card("Nodes", s.Nodes.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), "nodes"))
                .Append(Card("Pending", s.PendingCount.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), "pending"))
                .Append(Card("In flight", s.InFlightCount.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), "inflight"))
                .Append(Card("Succeeded", s.Outcomes.Succeeded.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), "succeeded"))
                .Append(Card("Failed", s.Outcomes.Failed.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), "failed"))
                .Append(Card("Cancelled", s.Outcomes.Cancelled.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), "cancelled"))
                .Append("</section>");
        }
        html.Append("<section><h2>Throughput</h2>").Append(Chart.Render(model.Series)).Append("</section>");
        if (s is not null)
        {
            Nodes(html, s);
            Pending(html, s);
        }
        if (model.StatusCounts is { } counts)
        {
            html.Append("<section><h2>Job records in Redis</h2><ul class=\"statuses\">");
            foreach (var (status, name, label) in StatusNames.All)
            {
                html.Append($"<li><a href=\"{E(basePath)}/jobs?status={name}\">{E(label)} <b>{counts.GetValueOrDefault(status):N0}</b></a></li>");
            }
            html.Append("</ul></section>");
        }
        if (s is not null)
        {
            RecentFailures(html, s, basePath);
        }
        return new Page(200, "Overview", html.ToString());
    }

    private static string Card(string label, string value, string id) =>
        $"<div class=\"card\" id=\"card-{id}\"><div class=\"value\">{E(value)}</div><div class=\"label\">{E(label)}</div></div>";

    private static void Nodes(StringBuilder html, DistributorSnapshot s)
    {
        html.Append("<section><h2>Connected nodes</h2>");
        if (s.Nodes.Count == 0)
        {
            html.Append("<p class=\"muted\">No node is connected.</p></section>");
            return;
        }
        html.Append("<div class=\"scroll\"><table id=\"nodes\"><thead><tr><th>Name</th><th>Address</th><th>Jobs</th><th>In flight</th><th>Credit</th><th>Last heartbeat</th><th>Connected since</th></tr></thead><tbody>");
        foreach (var n in s.Nodes)
        {
            html.Append("<tr class=\"node\"><td class=\"name\">").Append(E(n.Name)).Append(n.Accepting ? "" : " <span class=\"tag\">leaving</span>")
                .Append("</td><td>").Append(E(n.Endpoint))
                .Append("</td><td class=\"jobnames\">").Append(Cut(string.Join(", ", n.JobNames), 200))
                .Append($"</td><td>{n.InFlight:N0}</td><td>{n.Credit:N0}</td><td>").Append(Time(n.LastHeartbeat))
                .Append("</td><td>").Append(Time(n.ConnectedSince)).Append("</td></tr>");
        }
        html.Append("</tbody></table></div></section>");
    }

    private static void Pending(StringBuilder html, DistributorSnapshot s)
    {
        html.Append("<section><h2>Waiting for a node</h2>");
        if (s.Pending.Count == 0)
        {
            html.Append("<p class=\"muted\">Nothing waits.</p></section>");
            return;
        }
        html.Append("<div class=\"scroll\"><table><thead><tr><th>Job name</th><th>Waiting</th><th>Oldest waits</th><th></th></tr></thead><tbody>");
        foreach (var p in s.Pending)
        {
            html.Append("<tr><td>").Append(E(p.Name)).Append($"</td><td>{p.Count:N0}</td><td>").Append(Duration(p.OldestAge))
                .Append("</td><td>").Append(p.Known ? "waiting for credit" : "<span class=\"tag bad\">no node knows this name</span>").Append("</td></tr>");
        }
        html.Append("</tbody></table></div></section>");
    }

    private static void RecentFailures(StringBuilder html, DistributorSnapshot s, string basePath)
    {
        var failures = s.RecentResults.Where(r => r.Outcome != JobOutcome.Succeeded).Take(10).ToList();
        html.Append("<section><h2>Recent failures</h2>");
        if (failures.Count == 0)
        {
            html.Append("<p class=\"muted\">None among the last results.</p></section>");
            return;
        }
        html.Append("<div class=\"scroll\"><table><thead><tr><th>Job</th><th>Name</th><th>Outcome</th><th>Error</th><th>Finished</th></tr></thead><tbody>");
        foreach (var r in failures)
        {
            html.Append($"<tr><td><a href=\"{E(basePath)}/jobs/{E(U(r.JobId))}\">").Append(E(r.JobId)).Append("</a></td><td>").Append(E(r.Name))
                .Append("</td><td>").Append(E(r.Outcome.ToString())).Append("</td><td class=\"error\">").Append(Cut(FirstLine(r.Error), 160))
                .Append("</td><td>").Append(Time(r.FinishedAt)).Append("</td></tr>");
        }
        html.Append("</tbody></table></div></section>");
    }

    internal static string? FirstLine(string? text) => text?.Split('\n', 2)[0];
}
