using Reactor.Workflows.Definitions;

namespace Reactor.Workflows;

/// <summary>Loads workflow definitions: Distribot JSON (<c>*.json</c>) and workflow-manager YAML (<c>*.yaml</c>, <c>*.yml</c>).</summary>
public static class WorkflowDefinitions
{
    /// <summary>Reads one file; a YAML file may hold several workflows. Throws <see cref="WorkflowDefinitionException"/>.</summary>
    public static IReadOnlyList<WorkflowDefinition> LoadFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new WorkflowDefinitionException($"{path}: cannot be read: {e.Message}", e);
        }
        return Parse(path, text);
    }

    /// <summary>Parses definition text; <paramref name="source"/> names it in errors, and its extension picks the format.</summary>
    public static IReadOnlyList<WorkflowDefinition> Parse(string source, string text) =>
        Path.GetExtension(source).ToLowerInvariant() switch
        {
            ".json" => [DistribotJsonReader.Read(source, text)],
            ".yaml" or ".yml" => WorkflowYamlReader.Read(source, text),
            var other => throw new WorkflowDefinitionException($"{source}: unknown definition format '{other}'; use .json (phases) or .yaml/.yml (steps)"),
        };

    /// <summary>Reads every <c>*.json</c>, <c>*.yaml</c> and <c>*.yml</c> in <paramref name="directory"/>; names must be unique across files.</summary>
    public static IReadOnlyList<WorkflowDefinition> LoadDirectory(string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw new WorkflowDefinitionException($"{directory}: no such directory");
        }
        var all = new List<WorkflowDefinition>();
        var files = Directory.EnumerateFiles(directory)
            .Where(f => Path.GetExtension(f).ToLowerInvariant() is ".json" or ".yaml" or ".yml")
            .Order(StringComparer.Ordinal);
        foreach (var file in files)
        {
            foreach (var definition in LoadFile(file))
            {
                if (all.FirstOrDefault(d => d.Name == definition.Name) is { } earlier)
                {
                    throw new WorkflowDefinitionException($"{file}: workflow '{definition.Name}' is already defined in {earlier.Source}");
                }
                all.Add(definition);
            }
        }
        return all;
    }
}
