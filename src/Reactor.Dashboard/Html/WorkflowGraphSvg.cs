using System.Globalization;
using System.Text;
using Reactor.Workflows;
using static Reactor.Dashboard.Html.Html;

namespace Reactor.Dashboard.Html;

/// <summary>
/// A workflow's steps drawn as an inline SVG graph, left to right: each step goes one column after the
/// furthest step it depends on (a step entered only through an error transition, one after that
/// step), so forks spread down a column and joins gather from the columns before. Boxes carry the
/// step's state as a class (coloured by the stylesheet: no inline style, the page's CSP forbids it),
/// its task counts, and a tooltip with the details. Edges: solid for dependencies, dashed for error transitions.
/// </summary>
internal static class WorkflowGraphSvg
{
    private const int BoxWidth = 180, BoxHeight = 58, ColumnGap = 70, RowGap = 22, Margin = 12, NameChars = 24;

    public static string Render(IReadOnlyList<WorkflowStepDetails> steps)
    {
        if (steps.Count == 0)
        {
            return "<p class=\"muted\">The workflow has no steps.</p>";
        }
        var column = Columns(steps);
        var rows = new Dictionary<string, int>(StringComparer.Ordinal);
        var perColumn = new Dictionary<int, int>();
        foreach (var step in steps)
        {
            var c = column[step.Name];
            rows[step.Name] = perColumn.GetValueOrDefault(c);
            perColumn[c] = rows[step.Name] + 1;
        }
        var width = Margin * 2 + (perColumn.Keys.Max() + 1) * (BoxWidth + ColumnGap) - ColumnGap;
        var height = Margin * 2 + perColumn.Values.Max() * (BoxHeight + RowGap) - RowGap;
        (int X, int Y) At(string name) => (Margin + column[name] * (BoxWidth + ColumnGap), Margin + rows[name] * (BoxHeight + RowGap));

        var svg = new StringBuilder();
        svg.Append(Inv($"<svg class=\"graph\" id=\"workflow-graph\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-labelledby=\"graph-title\">"))
            .Append("<title id=\"graph-title\">Step graph: ").Append(E(string.Join(", ", steps.Select(s => $"{s.Name} {State(s)}")))).Append("</title>")
            .Append("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\">")
            .Append("<path d=\"M 0 0 L 10 5 L 0 10 z\" class=\"arrow\"/></marker></defs>");
        var known = steps.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var step in steps)
        {
            foreach (var dependency in step.Depends.Where(known.Contains))
            {
                Edge(svg, At(dependency), At(step.Name), "edge", $"{dependency} → {step.Name}");
            }
            if (step.OnError is { } target && known.Contains(target))
            {
                Edge(svg, At(step.Name), At(target), "edge error", $"{step.Name} on error → {target}");
            }
        }
        foreach (var step in steps)
        {
            var (x, y) = At(step.Name);
            var state = State(step);
            svg.Append(Inv($"<g class=\"step st-{state}\" data-step=\"")).Append(E(step.Name)).Append(Inv($"\" data-status=\"{state}\" transform=\"translate({x},{y})\">"))
                .Append("<title>").Append(E(Tooltip(step))).Append("</title>")
                .Append(Inv($"<rect width=\"{BoxWidth}\" height=\"{BoxHeight}\" rx=\"6\"/>"))
                .Append("<text x=\"10\" y=\"20\" class=\"name\">").Append(E(Short(step.Name))).Append("</text>")
                .Append("<text x=\"10\" y=\"38\" class=\"counts\">").Append(E(Counts(step))).Append("</text>")
                .Append("<text x=\"10\" y=\"52\" class=\"state\">").Append(E(Marks(step))).Append("</text></g>");
        }
        return svg.Append("</svg>").ToString();
    }

    /// <summary>Column of each step: one after its furthest dependency; error-only steps one after the step that enters them.</summary>
    internal static Dictionary<string, int> Columns(IReadOnlyList<WorkflowStepDetails> steps)
    {
        var byName = steps.ToDictionary(s => s.Name, StringComparer.Ordinal);
        var column = new Dictionary<string, int>(StringComparer.Ordinal);
        var visiting = new HashSet<string>(StringComparer.Ordinal);
        int Of(string name)
        {
            if (column.TryGetValue(name, out var known))
            {
                return known;
            }
            // A cycle cannot come from a valid definition; a damaged stored graph still draws.
            if (!visiting.Add(name))
            {
                return 0;
            }
            var step = byName[name];
            var parents = step.Depends.Where(byName.ContainsKey).ToList();
            if (parents.Count == 0)
            {
                parents = [.. steps.Where(s => s.OnError == name && s.Name != name).Select(s => s.Name)];
            }
            var c = parents.Count == 0 ? 0 : parents.Max(Of) + 1;
            visiting.Remove(name);
            return column[name] = c;
        }
        foreach (var step in steps)
        {
            Of(step.Name);
        }
        return column;
    }

    private static void Edge(StringBuilder svg, (int X, int Y) from, (int X, int Y) to, string css, string label)
    {
        double x1 = from.X + BoxWidth, y1 = from.Y + BoxHeight / 2.0, x2 = to.X, y2 = to.Y + BoxHeight / 2.0;
        if (x2 <= x1)
        {
            // Same column or backwards (error transition to an earlier step): leave from the bottom, enter from the top.
            x1 = from.X + BoxWidth / 2.0;
            y1 = from.Y + BoxHeight;
            x2 = to.X + BoxWidth / 2.0;
            y2 = to.Y;
        }
        var bend = Math.Max(30, Math.Abs(x2 - x1) / 2);
        var path = x2 > x1
            ? Inv($"M {x1:0.#} {y1:0.#} C {x1 + bend:0.#} {y1:0.#}, {x2 - bend:0.#} {y2:0.#}, {x2:0.#} {y2:0.#}")
            : Inv($"M {x1:0.#} {y1:0.#} C {x1:0.#} {y1 + 30:0.#}, {x2:0.#} {y2 - 30:0.#}, {x2:0.#} {y2:0.#}");
        svg.Append($"<path class=\"{css}\" d=\"{path}\" marker-end=\"url(#arrow)\"><title>").Append(E(label)).Append("</title></path>");
    }

    private static string State(WorkflowStepDetails step) => step.Status.ToString().ToLowerInvariant();

    private static string Short(string name) => name.Length <= NameChars ? name : name[..(NameChars - 1)] + "…";

    private static string Counts(WorkflowStepDetails step) =>
        step.Tasks == 0 ? State(step) : string.Create(CultureInfo.InvariantCulture, $"{State(step)} · {step.Finished}/{step.Tasks} tasks");

    private static string Marks(WorkflowStepDetails step)
    {
        var marks = new List<string>();
        if (step.FanOutItems is not null)
        {
            marks.Add("fan-out");
        }
        if (step.Depends.Count > 1)
        {
            marks.Add(step.AnyDependency ? "after any" : "join");
        }
        if (step.IsInitial)
        {
            marks.Add("initial");
        }
        if (step.IsFinal)
        {
            marks.Add("final");
        }
        return string.Join(" · ", marks);
    }

    private static string Tooltip(WorkflowStepDetails step)
    {
        var text = new StringBuilder(step.Name).Append(": ").Append(State(step));
        text.Append(CultureInfo.InvariantCulture, $"; {step.Tasks} tasks, {step.Finished} finished, {step.Pending} pending");
        if (step.Handlers.Count > 0)
        {
            text.Append("; runs ").Append(string.Join(", ", step.Handlers));
        }
        if (step.FanOutItems is { } items)
        {
            text.Append("; one task per item of ").Append(items);
        }
        if (step.OnError is { } onError)
        {
            text.Append("; on error → ").Append(onError);
        }
        return text.ToString();
    }

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
