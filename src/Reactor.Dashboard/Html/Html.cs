using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;

namespace Reactor.Dashboard.Html;

/// <summary>
/// Small helpers for writing HTML by hand. Every piece of data goes through <see cref="E"/> (text and
/// attribute values alike), so a job name, arg key or error message holding markup shows as text.
/// </summary>
internal static class Html
{
    /// <summary>Stands for the request's antiforgery token in rendered HTML that is shared between viewers.</summary>
    public const string TokenMarker = "__REACTOR_CSRF_TOKEN__";

    /// <summary>HTML-encodes text for element content and quoted attribute values.</summary>
    public static string E(string? text) => text is null ? "" : HtmlEncoder.Default.Encode(text);

    /// <summary>URL-encodes one path segment or query value.</summary>
    public static string U(string text) => Uri.EscapeDataString(text);

    /// <summary>A timestamp the script shows in the viewer's time zone, with UTC on hover (and without script).</summary>
    public static string Time(DateTimeOffset? at)
    {
        if (at is not { } t)
        {
            return "<span class=\"muted\">–</span>";
        }
        var iso = t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        var utc = t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
        return $"<time datetime=\"{iso}\" title=\"{utc}\">{utc}</time>";
    }

    public static string Duration(TimeSpan? span) => span switch
    {
        null => "<span class=\"muted\">–</span>",
        { TotalSeconds: < 1 } s => $"{s.TotalMilliseconds:0} ms",
        { TotalMinutes: < 1 } s => $"{s.TotalSeconds:0.#} s",
        { TotalHours: < 1 } s => $"{s.TotalMinutes:0.#} min",
        { TotalDays: < 1 } s => $"{s.TotalHours:0.#} h",
        var s => $"{s.Value.TotalDays:0.#} d",
    };

    /// <summary>The first <paramref name="max"/> characters, with the rest marked as cut.</summary>
    public static string Cut(string? text, int max) =>
        text is null ? "" : text.Length <= max ? E(text) : E(text[..max]) + $"<span class=\"muted\">… ({text.Length - max:N0} more characters)</span>";

    /// <summary>A form posting <paramref name="action"/> with the antiforgery token and one button.</summary>
    public static string PostButton(string action, string label, string css = "", string? confirm = null, string extra = "")
    {
        var confirmAttr = confirm is null ? "" : $" data-confirm=\"{E(confirm)}\"";
        return $"<form method=\"post\" action=\"{E(action)}\" class=\"inline\"{confirmAttr}>" +
               $"<input type=\"hidden\" name=\"__RequestVerificationToken\" value=\"{TokenMarker}\">{extra}" +
               $"<button type=\"submit\" class=\"{css}\">{E(label)}</button></form>";
    }

    public static StringBuilder Problem(this StringBuilder html, string? problem)
    {
        if (problem is not null)
        {
            html.Append("<div class=\"banner error\" role=\"alert\">").Append(E(problem)).Append("</div>");
        }
        return html;
    }
}
