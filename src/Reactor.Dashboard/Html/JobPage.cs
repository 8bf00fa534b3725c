using Reactor.Json;
using System.Text;
using Reactor.Dashboard.Data;
using Reactor.Storage;
using static Reactor.Dashboard.Html.Html;

namespace Reactor.Dashboard.Html;

/// <summary>One job: what it is, where it is, how it went (errors with type and stack), its args.</summary>
internal static class JobPage
{
    /// <summary>Args larger than this show their start, with the whole text behind a disclosure.</summary>
    private const int ArgsShownAtOnce = 16 * 1024;

    public static Page Render(JobModel m, string basePath, bool canAct, bool haveDistributor)
    {
        var html = new StringBuilder().Problem(m.Problem);
        if (!m.Found)
        {
            html.Append("<h1>Job ").Append(E(m.Id)).Append("</h1><p class=\"banner\" id=\"not-found\">No job with this id is known: it may not have reached a node yet, ")
                .Append("or its record and result have expired. This page updates if it appears.</p>");
            return new Page(404, "Job not found", html.ToString());
        }
        var status = Status(m);
        html.Append("<h1>").Append(Cut(m.Name, 200)).Append(" <span class=\"id\">").Append(E(m.Id)).Append("</span></h1>")
            .Append($"<p>Status: <b class=\"status\" id=\"job-status\" data-status=\"{E(status)}\">{E(status)}</b></p>");
        var r = m.Record;
        html.Append("<section><h2>Facts</h2><dl class=\"facts\">");
        Fact(html, "Node", E(r?.Node));
        Fact(html, "Progress", r is null ? "" : JobsPage.Progress(DashboardReader.Row(r)));
        Fact(html, "Attempt", r is null ? "" : $"{r.Attempt}" + (r.MaxAttempt > 0 ? $" of {r.MaxAttempt}" : " (node's default limit)"));
        Fact(html, "Period", r?.Period is null ? "" : Duration(r.Period));
        Fact(html, "Timeout", r?.Timeout is null ? "" : Duration(r.Timeout));
        Fact(html, "Runs on", r is null ? "" : r.Defer ? "thread pool (Defer)" : "the node's loop");
        Fact(html, "Distributor", E(r?.Distributor));
        Fact(html, "Trace", TraceOf(m) is { } trace ? $"<code>{E(trace)}</code>" : "");
        html.Append("</dl></section>");

        Timeline(html, m);
        var error = r?.LastError ?? m.Stored?.Error ?? m.Recent?.Error;
        if (error is not null)
        {
            var (type, message, stack) = SplitError(error);
            html.Append("<section><h2>Error</h2><p class=\"error\" id=\"job-error\">");
            if (type is not null)
            {
                html.Append("<b class=\"exception-type\">").Append(E(type)).Append("</b>: ");
            }
            html.Append(E(message)).Append("</p>");
            if (stack.Length > 0)
            {
                html.Append("<details open><summary>Stack</summary><pre class=\"stack\">").Append(E(stack)).Append("</pre></details>");
            }
            html.Append("</section>");
        }
        Attempts(html, r);
        Args(html, "Args", r?.Args, "args as enqueued");
        if (m.StoredArgs is { Count: > 0 } resultArgs)
        {
            Args(html, "Result args", resultArgs, "args as the node left them");
        }
        if (canAct)
        {
            Actions(html, m, basePath, haveDistributor);
        }
        return new Page(200, $"Job {m.Id}", html.ToString());
    }

    /// <summary>The record's failed attempts (the last <see cref="JobRecord.MaxFailedAttempts"/>), newest first, each stack folded.</summary>
    private static void Attempts(StringBuilder html, JobRecord? r)
    {
        if (r is not { FailedAttempts.Count: > 0 })
        {
            return;
        }
        html.Append($"<section><h2>Failed attempts</h2><p class=\"muted\">The last {JobRecord.MaxFailedAttempts} are kept.</p><ol class=\"attempts\" id=\"job-attempts\" reversed>");
        foreach (var a in r.FailedAttempts.Reverse())
        {
            var (type, message, stack) = SplitError(a.Error);
            html.Append($"<li class=\"attempt\" value=\"{a.Attempt}\"><span class=\"muted\">attempt {a.Attempt}, </span>").Append(Time(a.At)).Append(" <span class=\"error\">");
            if (type is not null)
            {
                html.Append("<b class=\"exception-type\">").Append(E(type)).Append("</b>: ");
            }
            html.Append(E(message)).Append("</span>");
            if (stack.Length > 0)
            {
                html.Append("<details><summary>Stack</summary><pre class=\"stack\">").Append(E(stack)).Append("</pre></details>");
            }
            html.Append("</li>");
        }
        html.Append("</ol></section>");
    }

    private static string Status(JobModel m) =>
        m.Record is { } r ? StatusNames.Of(r.Status)
        : m.Stored is { } s ? ((JobOutcome)s.Outcome).ToString().ToLowerInvariant()
        : m.Recent is { } recent ? recent.Outcome.ToString().ToLowerInvariant()
        : "waiting at the distributor";

    private static string? TraceOf(JobModel m) =>
        m.Record?.Args.TryGetValue("traceparent", out var t) == true ? t as string : null;

    private static void Fact(StringBuilder html, string label, string valueHtml)
    {
        if (valueHtml.Length > 0)
        {
            html.Append("<dt>").Append(E(label)).Append("</dt><dd>").Append(valueHtml).Append("</dd>");
        }
    }

    private static void Timeline(StringBuilder html, JobModel m)
    {
        var events = new List<(DateTimeOffset At, string What)>();
        if (m.Record is { RunAt: { } runAt } rec)
        {
            events.Add((runAt, rec.IsFinished ? "was due" : "next run due"));
        }
        if (m.Record?.FailedAt is { } failedAt)
        {
            events.Add((failedAt, m.Record.Status == JobStatus.Error ? "attempt failed, retry scheduled" : "last attempt failed"));
        }
        if (m.Stored is { } s)
        {
            events.Add((DateTimeOffset.FromUnixTimeMilliseconds(s.FinishedUnixMs), $"finished: {((JobOutcome)s.Outcome).ToString().ToLowerInvariant()}"));
        }
        else if (m.Recent is { } recent)
        {
            events.Add((recent.FinishedAt, $"finished: {recent.Outcome.ToString().ToLowerInvariant()}"));
        }
        if (m.Unsettled)
        {
            html.Append("<p>The distributor holds this job as accepted and not yet settled.</p>");
        }
        if (events.Count == 0)
        {
            return;
        }
        html.Append("<section><h2>Timeline</h2><ol class=\"timeline\">");
        foreach (var (at, what) in events.OrderBy(e => e.At))
        {
            html.Append("<li>").Append(Time(at)).Append(' ').Append(E(what)).Append("</li>");
        }
        html.Append("</ol></section>");
    }

    private static void Args(StringBuilder html, string title, JobArgs? args, string note)
    {
        if (args is null)
        {
            return;
        }
        var json = JsonText.Write(args, indented: true);
        html.Append("<section><h2>").Append(E(title)).Append(" <small class=\"muted\">").Append(E(note)).Append("</small></h2>");
        if (json.Length <= ArgsShownAtOnce)
        {
            html.Append("<pre class=\"json\">").Append(E(json)).Append("</pre></section>");
            return;
        }
        html.Append("<pre class=\"json\">").Append(E(json[..ArgsShownAtOnce])).Append("…</pre>")
            .Append($"<details><summary>Show all {json.Length:N0} characters</summary><pre class=\"json\">").Append(E(json)).Append("</pre></details></section>");
    }

    private static void Actions(StringBuilder html, JobModel m, string basePath, bool haveDistributor)
    {
        var id = U(m.Id);
        var parts = new List<string>();
        var finished = m.Record?.IsFinished ?? (m.Stored is not null || m.Recent is not null);
        if (haveDistributor && m.Record is { Status: JobStatus.Failed or JobStatus.Cancelled })
        {
            parts.Add(PostButton($"{basePath}/jobs/{id}/retry", "Retry", "primary"));
        }
        if (haveDistributor && !finished)
        {
            parts.Add(PostButton($"{basePath}/jobs/{id}/cancel", "Cancel", "", "Cancel this job?"));
        }
        if (m.Record is not null)
        {
            parts.Add(PostButton($"{basePath}/jobs/{id}/delete", "Delete record", "danger", "Delete this job's record?"));
        }
        if (parts.Count > 0)
        {
            html.Append("<section class=\"actions\"><h2>Actions</h2>").Append(string.Concat(parts)).Append("</section>");
        }
    }

    /// <summary>
    /// Splits a node's error text (<c>Type: message</c>, then the stack on the following lines) into its
    /// parts; text of another shape is all message.
    /// </summary>
    internal static (string? Type, string Message, string Stack) SplitError(string error)
    {
        var lines = error.Split('\n', 2);
        var stack = lines.Length > 1 ? lines[1].TrimEnd() : "";
        var first = lines[0].TrimEnd('\r');
        var colon = first.IndexOf(": ", StringComparison.Ordinal);
        if (colon > 0 && first[..colon].All(c => char.IsLetterOrDigit(c) || c is '.' or '_' or '`' or '+') && first[..colon].EndsWith("Exception", StringComparison.Ordinal))
        {
            return (first[..colon], first[(colon + 2)..], stack);
        }
        return (null, first, stack);
    }
}
