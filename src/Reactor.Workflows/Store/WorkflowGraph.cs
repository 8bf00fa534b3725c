using System.Text.Json;
using System.Text.Json.Serialization;

namespace Reactor.Workflows.Store;

/// <summary>
/// The shape of a definition's step graph, stored with each workflow (field <c>graph</c>) so a reader
/// that has no definition files, such as the dashboard, can still draw it. Only what drawing needs:
/// names, dependencies, error transitions, handlers and fan-out; never the handlers' code or options.
/// </summary>
internal static class WorkflowGraph
{
    internal sealed record Node(
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("depends")] IReadOnlyList<string> Depends,
        [property: JsonPropertyName("any")] bool AnyDependency,
        [property: JsonPropertyName("on_error")] string? OnError,
        [property: JsonPropertyName("initial")] bool IsInitial,
        [property: JsonPropertyName("final")] bool IsFinal,
        [property: JsonPropertyName("handlers")] IReadOnlyList<string> Handlers,
        [property: JsonPropertyName("fan_out")] string? FanOutItems);

    public static string Describe(WorkflowDefinition definition) => JsonSerializer.Serialize(definition.Steps.Select(s => new Node(
        s.Name, s.Depends, s.AnyDependency, s.OnError, s.IsInitial, s.IsFinal,
        [.. s.Handlers.Select(Label), .. s.FanOut?.Chain.Select(Label) ?? []],
        s.FanOut?.ItemListKey)).ToList());

    /// <summary>
    /// The stored graph, or, for a record without one (an older version) or with one that does not
    /// parse, the step names alone in definition order with no edges.
    /// </summary>
    public static IReadOnlyList<Node> Read(string? graph, IReadOnlyList<string> stepNames)
    {
        if (graph is not null)
        {
            try
            {
                if (JsonSerializer.Deserialize<List<Node>>(graph) is { } nodes)
                {
                    return nodes;
                }
            }
            catch (JsonException)
            {
                // Fall through to the names alone: a damaged field must not hide the workflow.
            }
        }
        return [.. stepNames.Select(n => new Node(n, [], false, null, false, false, [], null))];
    }

    private static string Label(HandlerDefinition handler) => handler.Queue is { } queue ? $"queue:{queue}" : handler.Name;
}
