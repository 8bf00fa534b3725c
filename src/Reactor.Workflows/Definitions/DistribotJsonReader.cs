using System.Text.Json;

namespace Reactor.Workflows.Definitions;

/// <summary>
/// Reads a Distribot workflow: <c>{"name", "phases": [{"name", "is_initial", "is_final",
/// "transitions_to", "on_error_transition_to", "handlers": ["Job" | {"name", "version"}]}]}</c>.
/// A phase depends on the phases that transition to it (any one of them suffices).
/// </summary>
internal static class DistribotJsonReader
{
    public static WorkflowDefinition Read(string source, string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw WorkflowDefinitionException.At(source, $"line {e.LineNumber + 1}", $"not valid JSON: {e.Message}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw WorkflowDefinitionException.At(source, "(root)", "expected an object with 'name' and 'phases'");
            }
            var name = String(source, "name", root, "name");
            if (!root.TryGetProperty("phases", out var phases) || phases.ValueKind != JsonValueKind.Array)
            {
                throw WorkflowDefinitionException.At(source, "phases", "expected a list of phases");
            }
            var raw = new List<(string Element, JsonElement Phase, string Name)>();
            var i = 0;
            foreach (var phase in phases.EnumerateArray())
            {
                var element = $"phases[{i++}]";
                if (phase.ValueKind != JsonValueKind.Object)
                {
                    throw WorkflowDefinitionException.At(source, element, "expected an object");
                }
                var phaseName = String(source, element + ".name", phase, "name") ?? "";
                raw.Add(($"{element} '{phaseName}'", phase, phaseName));
            }
            var steps = raw.Select(r => ToStep(source, r.Element, r.Phase, r.Name, raw.Select(x => (x.Name, x.Phase)))).ToList();
            CheckPhases(source, steps);
            return DefinitionBuilder.Build(source, "name", name ?? "", steps);
        }
    }

    private static DefinitionBuilder.RawStep ToStep(string source, string element, JsonElement phase, string name,
        IEnumerable<(string Name, JsonElement Phase)> all)
    {
        var next = String(source, element + ".transitions_to", phase, "transitions_to");
        var onError = String(source, element + ".on_error_transition_to", phase, "on_error_transition_to");
        var depends = all.Where(p => TryString(p.Phase, "transitions_to") == name).Select(p => p.Name).Distinct().ToList();
        var handlers = new List<HandlerDefinition>();
        if (phase.TryGetProperty("handlers", out var list))
        {
            if (list.ValueKind != JsonValueKind.Array)
            {
                throw WorkflowDefinitionException.At(source, element + ".handlers", "expected a list");
            }
            var h = 0;
            foreach (var handler in list.EnumerateArray())
            {
                handlers.Add(Handler(source, $"{element}.handlers[{h++}]", handler));
            }
        }
        var step = new StepDefinition(name, depends, handlers, null, onError,
            Bool(source, element, phase, "is_initial"), Bool(source, element, phase, "is_final"), AnyDependency: true);
        return new DefinitionBuilder.RawStep(element, step) { Next = next };
    }

    private static HandlerDefinition Handler(string source, string element, JsonElement handler)
    {
        var (name, version) = handler.ValueKind switch
        {
            JsonValueKind.String => (handler.GetString(), null),
            JsonValueKind.Object => (String(source, element + ".name", handler, "name"), VersionOf(source, element, handler)),
            _ => throw WorkflowDefinitionException.At(source, element, "a handler is a job name or {\"name\", \"version\"}"),
        };
        DefinitionBuilder.CheckName(source, element, name, "handler");
        return new HandlerDefinition(name!, version);
    }

    private static string? VersionOf(string source, string element, JsonElement handler) =>
        handler.TryGetProperty("version", out var v) && v.ValueKind is JsonValueKind.String or JsonValueKind.Number
            ? v.ToString()
            : handler.TryGetProperty("version", out _) ? throw WorkflowDefinitionException.At(source, element + ".version", "expected a string") : null;

    /// <summary>Distribot's own rules: one initial phase, a final one, and every phase reachable.</summary>
    private static void CheckPhases(string source, List<DefinitionBuilder.RawStep> steps)
    {
        var initial = steps.Where(s => s.Step.IsInitial).ToList();
        if (initial.Count == 0)
        {
            throw WorkflowDefinitionException.At(source, "phases", "no phase has \"is_initial\": true");
        }
        if (initial.Count > 1)
        {
            throw WorkflowDefinitionException.At(source, initial[1].Element, "a second initial phase; exactly one may have \"is_initial\": true");
        }
        if (!steps.Any(s => s.Step.IsFinal))
        {
            throw WorkflowDefinitionException.At(source, "phases", "no phase has \"is_final\": true");
        }
        var names = steps.Select(s => s.Step.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var step in steps)
        {
            if (step.Step.IsFinal && step.Next is not null)
            {
                throw WorkflowDefinitionException.At(source, step.Element, "a final phase cannot have transitions_to");
            }
            if (!step.Step.IsFinal && step.Next is null)
            {
                throw WorkflowDefinitionException.At(source, step.Element, "a phase that is not final needs transitions_to");
            }
            if (step.Next is { } next && !names.Contains(next))
            {
                throw WorkflowDefinitionException.At(source, step.Element, $"transitions_to unknown phase '{next}'");
            }
        }
        var reached = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>([initial[0].Step.Name]);
        while (stack.TryPop(out var name))
        {
            var step = steps.FirstOrDefault(s => s.Step.Name == name);
            if (step is null || !reached.Add(name))
            {
                continue;
            }
            foreach (var target in new[] { step.Next, step.Step.OnError }.OfType<string>())
            {
                stack.Push(target);
            }
        }
        foreach (var step in steps.Where(s => !reached.Contains(s.Step.Name)))
        {
            throw WorkflowDefinitionException.At(source, step.Element, "no transition from the initial phase reaches this phase");
        }
    }

    private static string? TryString(JsonElement e, string property) =>
        e.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static string? String(string source, string element, JsonElement e, string property)
    {
        if (!e.TryGetProperty(property, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        return v.ValueKind == JsonValueKind.String ? v.GetString() : throw WorkflowDefinitionException.At(source, element, "expected a string");
    }

    private static bool Bool(string source, string element, JsonElement e, string property)
    {
        if (!e.TryGetProperty(property, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return false;
        }
        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw WorkflowDefinitionException.At(source, $"{element}.{property}", "expected true or false"),
        };
    }
}
