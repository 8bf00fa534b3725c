using System.Text;
using static Reactor.Dashboard.Html.Html;

namespace Reactor.Dashboard.Html;

/// <summary>The page around a body: header navigation, flash message, live region, footer, assets.</summary>
internal static class Layout
{
    public static string Render(Page page, string title, string basePath, string section, string livePath, string? flash, bool flashOk, string footer)
    {
        var html = new StringBuilder(page.Body.Length + 2048);
        html.Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<title>").Append(E(page.Title)).Append(" · ").Append(E(title)).Append("</title>")
            .Append("<link rel=\"icon\" href=\"data:,\">")
            .Append($"<link rel=\"stylesheet\" href=\"{E(basePath)}/assets/dashboard.css\"></head><body>")
            .Append("<a class=\"skip\" href=\"#live\">Skip to content</a>")
            .Append("<header><nav aria-label=\"main\"><span class=\"brand\">").Append(E(title)).Append("</span>");
        var root = basePath.Length == 0 ? "/" : basePath + "/";
        foreach (var (href, label, name) in new[] { (root, "Overview", ""), (basePath + "/jobs", "Jobs", "jobs"), (basePath + "/workflows", "Workflows", "workflows"), (basePath + "/flows", "Flows", "flows") })
        {
            var current = name == section ? " aria-current=\"page\"" : "";
            html.Append($"<a href=\"{E(href)}\"{current}>{label}</a>");
        }
        html.Append("</nav><span id=\"live-state\" class=\"live-state\" aria-live=\"polite\"></span></header>");
        if (flash is not null)
        {
            html.Append($"<div class=\"banner {(flashOk ? "ok" : "error")}\" role=\"status\" id=\"flash\">").Append(E(flash)).Append("</div>");
        }
        html.Append($"<main id=\"live\" data-live=\"{E(livePath)}\" data-version=\"{Version(page.Body)}\">").Append(page.Body).Append("</main>")
            .Append("<footer>").Append(E(footer)).Append("</footer>")
            .Append($"<script src=\"{E(basePath)}/assets/dashboard.js\"></script></body></html>");
        return html.ToString();
    }

    /// <summary>
    /// Names one rendering of a body (before the token goes in): a live update with the version the page
    /// already shows is skipped, so elements are not replaced (and focus not lost) when nothing changed.
    /// </summary>
    public static string Version(string body) => body.GetHashCode(StringComparison.Ordinal).ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
}
