using System.Globalization;
using System.Text;
using Reactor.Dashboard.Data;

namespace Reactor.Dashboard.Html;

/// <summary>The overview's throughput chart: jobs/s and failures/s as two SVG polylines.</summary>
internal static class Chart
{
    private const int Width = 600;
    private const int Height = 140;
    private const int Pad = 24;

    public static string Render(IReadOnlyList<ThroughputPoint> points)
    {
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"<svg class=\"chart\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"jobs per second and failures per second over the last minutes\">");
        if (points.Count < 2)
        {
            html.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"{Height / 2}\" text-anchor=\"middle\" class=\"muted\">collecting samples…</text></svg>");
            return html.ToString();
        }
        var max = Math.Max(1, points.Max(p => Math.Max(p.JobsPerSecond, p.FailuresPerSecond)));
        var start = points[0].At;
        var span = Math.Max(1, (points[^1].At - start).TotalSeconds);
        string Line(Func<ThroughputPoint, double> value) => string.Join(" ", points.Select(p => string.Create(CultureInfo.InvariantCulture,
            $"{Pad + (p.At - start).TotalSeconds / span * (Width - 2 * Pad):0.#},{Height - Pad - value(p) / max * (Height - 2 * Pad):0.#}")));
        html.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Pad}\" y1=\"{Height - Pad}\" x2=\"{Width - Pad}\" y2=\"{Height - Pad}\" class=\"axis\"/>");
        html.Append(CultureInfo.InvariantCulture, $"<text x=\"{Pad}\" y=\"{Pad - 8}\" class=\"label\">{max:0.#}/s</text>");
        html.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width - Pad}\" y=\"{Height - 6}\" text-anchor=\"end\" class=\"label\">now</text>");
        html.Append(CultureInfo.InvariantCulture, $"<text x=\"{Pad}\" y=\"{Height - 6}\" class=\"label\">-{span:0} s</text>");
        html.Append("<polyline class=\"jobs\" points=\"").Append(Line(p => p.JobsPerSecond)).Append("\"/>");
        html.Append("<polyline class=\"failures\" points=\"").Append(Line(p => p.FailuresPerSecond)).Append("\"/>");
        html.Append("</svg><p class=\"legend\"><span class=\"key jobs\"></span>jobs/s ")
            .Append(CultureInfo.InvariantCulture, $"(now {points[^1].JobsPerSecond:0.##}) ")
            .Append("<span class=\"key failures\"></span>failures/s ")
            .Append(CultureInfo.InvariantCulture, $"(now {points[^1].FailuresPerSecond:0.##})</p>");
        return html.ToString();
    }
}
