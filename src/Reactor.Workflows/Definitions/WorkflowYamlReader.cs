using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Reactor.Workflows.Definitions;

/// <summary>
/// Reads workflow-manager YAML: <c>workflows:</c>, each with <c>steps</c> (<c>name</c>, <c>depends</c>,
/// <c>task</c>, <c>queue</c>, <c>onError</c>) and <c>tasks</c> (<c>name</c>, <c>itemListKey</c>,
/// <c>steps</c>). A step without <c>task</c> runs the Reactor job of its name, or its <c>queue</c>;
/// a step with <c>task</c> fans out one sub-task per item, each running the task's steps in order.
/// Unknown keys are errors, so a typo never silently changes a workflow.
/// </summary>
internal static class WorkflowYamlReader
{
    private static readonly string[] WorkflowKeys = ["name", "steps", "tasks"];
    private static readonly string[] StepKeys = ["name", "depends", "task", "queue", "onError", "on_error"];
    private static readonly string[] TaskKeys = ["name", "itemListKey", "steps"];
    private static readonly string[] TaskStepKeys = ["name", "depends", "queue"];

    public static IReadOnlyList<WorkflowDefinition> Read(string source, string yaml)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw WorkflowDefinitionException.At(source, $"line {e.Start.Line}", $"not valid YAML: {e.Message}");
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root
            || Child(root, "workflows") is not YamlSequenceNode workflows)
        {
            throw WorkflowDefinitionException.At(source, "(root)", "expected a mapping with a 'workflows' list");
        }
        var result = new List<WorkflowDefinition>();
        var i = 0;
        foreach (var node in workflows)
        {
            var element = $"workflows[{i++}]";
            var map = Mapping(source, element, node, WorkflowKeys);
            var name = Scalar(source, element + ".name", Child(map, "name")) ?? "";
            result.Add(ReadWorkflow(source, $"{element} '{name}'", name, map));
        }
        if (result.GroupBy(w => w.Name).FirstOrDefault(g => g.Count() > 1) is { } dup)
        {
            throw WorkflowDefinitionException.At(source, "workflows", $"duplicate workflow name '{dup.Key}'");
        }
        return result;
    }

    private static WorkflowDefinition ReadWorkflow(string source, string element, string name, YamlMappingNode map)
    {
        var tasks = new Dictionary<string, FanOutDefinition>(StringComparer.Ordinal);
        var t = 0;
        foreach (var node in Sequence(source, element + ".tasks", Child(map, "tasks")))
        {
            var task = ReadTask(source, $"{element}.tasks[{t++}]", node);
            if (!tasks.TryAdd(task.Task, task))
            {
                throw WorkflowDefinitionException.At(source, $"{element}.tasks[{t - 1}]", $"duplicate task name '{task.Task}'");
            }
        }
        var steps = new List<DefinitionBuilder.RawStep>();
        var s = 0;
        foreach (var node in Sequence(source, element + ".steps", Child(map, "steps")))
        {
            var at = $"{element}.steps[{s++}]";
            var step = Mapping(source, at, node, StepKeys);
            var stepName = Scalar(source, at + ".name", Child(step, "name")) ?? "";
            at += $" '{stepName}'";
            var queue = Scalar(source, at + ".queue", Child(step, "queue"));
            var taskName = Scalar(source, at + ".task", Child(step, "task"));
            FanOutDefinition? fanOut = null;
            if (taskName is not null && !tasks.TryGetValue(taskName, out fanOut))
            {
                throw WorkflowDefinitionException.At(source, at + ".task", $"unknown task '{taskName}'");
            }
            if (fanOut is not null && queue is not null)
            {
                // The step's queue becomes the default for the task's steps that name none.
                fanOut = fanOut with { Chain = [.. fanOut.Chain.Select(h => h.Queue is null ? h with { Queue = queue } : h)] };
            }
            HandlerDefinition[] handlers = fanOut is null ? [new HandlerDefinition(stepName, null, queue)] : [];
            var depends = Sequence(source, at + ".depends", Child(step, "depends"))
                .Select((d, j) => Scalar(source, $"{at}.depends[{j}]", d) ?? "").ToList();
            var onError = Scalar(source, at + ".onError", Child(step, "onError") ?? Child(step, "on_error"));
            steps.Add(new(at, new StepDefinition(stepName, depends, handlers, fanOut, onError, depends.Count == 0, false)));
        }
        // A step with no dependencies starts with the workflow, unless it is only an error target.
        steps = [.. steps.Select(r => r with
        {
            Step = r.Step with { IsInitial = r.Step.Depends.Count == 0 && !steps.Any(o => o.Step.OnError == r.Step.Name) },
        })];
        return DefinitionBuilder.Build(source, element, name, steps);
    }

    private static FanOutDefinition ReadTask(string source, string element, YamlNode node)
    {
        var map = Mapping(source, element, node, TaskKeys);
        var name = Scalar(source, element + ".name", Child(map, "name"));
        DefinitionBuilder.CheckName(source, element, name, "task");
        element += $" '{name}'";
        var key = Scalar(source, element + ".itemListKey", Child(map, "itemListKey"));
        if (string.IsNullOrEmpty(key))
        {
            throw WorkflowDefinitionException.At(source, element, "a task needs itemListKey (the input list it fans out over)");
        }
        var raw = new List<DefinitionBuilder.RawStep>();
        var i = 0;
        foreach (var stepNode in Sequence(source, element + ".steps", Child(map, "steps")))
        {
            var at = $"{element}.steps[{i++}]";
            var step = Mapping(source, at, stepNode, TaskStepKeys);
            var stepName = Scalar(source, at + ".name", Child(step, "name")) ?? "";
            var depends = Sequence(source, at + ".depends", Child(step, "depends"))
                .Select((d, j) => Scalar(source, $"{at}.depends[{j}]", d) ?? "").ToList();
            var handler = new HandlerDefinition(stepName, null, Scalar(source, at + ".queue", Child(step, "queue")));
            raw.Add(new(at, new StepDefinition(stepName, depends, [handler], null, null, depends.Count == 0, false)));
        }
        // The builder checks names, references and cycles; its order is the order each item runs the steps in.
        var compiled = DefinitionBuilder.Build(source, element, name!, raw);
        return new FanOutDefinition(name!, key, [.. compiled.Steps.Select(s => s.Handlers[0])]);
    }

    private static YamlNode? Child(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static YamlMappingNode Mapping(string source, string element, YamlNode node, string[] allowed)
    {
        if (node is not YamlMappingNode map)
        {
            throw WorkflowDefinitionException.At(source, $"{element} (line {node.Start.Line})", "expected a mapping");
        }
        foreach (var key in map.Children.Keys)
        {
            var text = (key as YamlScalarNode)?.Value ?? "";
            if (!allowed.Contains(text, StringComparer.Ordinal))
            {
                throw WorkflowDefinitionException.At(source, $"{element} (line {key.Start.Line})",
                    $"unknown key '{text}'; expected one of {string.Join(", ", allowed)}");
            }
        }
        return map;
    }

    private static IEnumerable<YamlNode> Sequence(string source, string element, YamlNode? node) => node switch
    {
        null => [],
        YamlScalarNode { Value: null or "" or "~" or "null" } => [],
        YamlSequenceNode sequence => sequence.Children,
        _ => throw WorkflowDefinitionException.At(source, $"{element} (line {node.Start.Line})", "expected a list"),
    };

    private static string? Scalar(string source, string element, YamlNode? node) => node switch
    {
        null => null,
        YamlScalarNode scalar => string.IsNullOrEmpty(scalar.Value) || scalar.Value == "~" ? null : scalar.Value,
        _ => throw WorkflowDefinitionException.At(source, $"{element} (line {node.Start.Line})", "expected a single value"),
    };
}
