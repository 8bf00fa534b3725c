using System.Text.RegularExpressions;

namespace Reactor.Workflows.Definitions;

/// <summary>
/// Checks what both readers produce and turns it into a <see cref="WorkflowDefinition"/>: names,
/// duplicates, references and cycles, each reported with the file and the element at fault.
/// </summary>
internal static partial class DefinitionBuilder
{
    /// <summary>A step as a reader found it, with where it was found.</summary>
    public sealed record RawStep(string Element, StepDefinition Step)
    {
        /// <summary>Distribot only: the phase entered on success.</summary>
        public string? Next { get; init; }
    }

    // '/' and '>' are kept out: task ids are "step/h0", "step/i3>1"; ':' separates parts of a correlation id.
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")]
    private static partial Regex NamePattern();

    public static void CheckName(string source, string element, string? name, string what)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw WorkflowDefinitionException.At(source, element, $"{what} has no name");
        }
        if (!NamePattern().IsMatch(name))
        {
            throw WorkflowDefinitionException.At(source, element,
                $"{what} name '{name}' is invalid: use 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
    }

    public static WorkflowDefinition Build(string source, string element, string name, IReadOnlyList<RawStep> raw)
    {
        CheckName(source, element, name, "workflow");
        if (raw.Count == 0)
        {
            throw WorkflowDefinitionException.At(source, element, "the workflow has no steps");
        }
        var byName = new Dictionary<string, RawStep>(StringComparer.Ordinal);
        foreach (var step in raw)
        {
            CheckName(source, step.Element, step.Step.Name, "step");
            if (!byName.TryAdd(step.Step.Name, step))
            {
                throw WorkflowDefinitionException.At(source, step.Element, $"duplicate step name '{step.Step.Name}'");
            }
        }
        foreach (var step in raw)
        {
            foreach (var dep in step.Step.Depends.Where(d => !byName.ContainsKey(d)))
            {
                throw WorkflowDefinitionException.At(source, step.Element, $"depends on unknown step '{dep}'");
            }
            if (step.Step.OnError is { } target && !byName.ContainsKey(target))
            {
                throw WorkflowDefinitionException.At(source, step.Element, $"error transition to unknown step '{target}'");
            }
        }
        return new WorkflowDefinition(name, source, Sort(source, raw, byName));
    }

    /// <summary>Depth-first topological sort over depends and error edges; a back edge is a cycle.</summary>
    private static List<StepDefinition> Sort(string source, IReadOnlyList<RawStep> raw, Dictionary<string, RawStep> byName)
    {
        var sorted = new List<StepDefinition>(raw.Count);
        var state = new Dictionary<string, bool>(StringComparer.Ordinal); // false: on the path, true: done
        var path = new List<string>();

        void Visit(RawStep step)
        {
            var name = step.Step.Name;
            if (state.TryGetValue(name, out var done))
            {
                if (!done)
                {
                    var cycle = string.Join(" -> ", path.SkipWhile(p => p != name).Append(name));
                    throw WorkflowDefinitionException.At(source, step.Element, $"cycle through steps {cycle}");
                }
                return;
            }
            state[name] = false;
            path.Add(name);
            var before = step.Step.Depends.Concat(raw.Where(r => r.Step.OnError == name).Select(r => r.Step.Name));
            foreach (var dep in before)
            {
                Visit(byName[dep]);
            }
            path.RemoveAt(path.Count - 1);
            state[name] = true;
            sorted.Add(step.Step);
        }

        foreach (var step in raw)
        {
            Visit(step);
        }
        return sorted;
    }
}
