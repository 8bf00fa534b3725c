using System.Reflection;
using Microsoft.Extensions.Logging;

namespace Reactor.Node.Jobs;

/// <summary>
/// Builds a node's <see cref="JobCatalog"/> from its jobs directory: <c>*.csx</c> job files compiled with
/// Roslyn scripting and <c>*.dll</c> assemblies holding <see cref="IJobModule"/>s, found recursively.
/// </summary>
internal static partial class JobsDirectoryLoader
{
    // Hidden entries (".git", editor lock files such as ".#jobs.csx") are never job files.
    private static readonly EnumerationOptions Walk = new()
    {
        RecurseSubdirectories = true,
        IgnoreInaccessible = false,
        AttributesToSkip = FileAttributes.Hidden | FileAttributes.System,
    };

    /// <summary>
    /// Loads every job file under <paramref name="directory"/> in ordinal path order, so callbacks spread over
    /// several files run in the same order on every node. Blocks while scripts compile and run.
    /// </summary>
    /// <exception cref="JobDefinitionException">The directory is missing, a file is broken, or the jobs are inconsistent.</exception>
    public static JobCatalog Load(string directory, ILogger logger, Action<IJobRegistry>? more = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(logger);

        var root = Path.GetFullPath(directory);
        if (!Directory.Exists(root))
        {
            throw new JobDefinitionException($"jobs directory '{directory}' does not exist");
        }

        var files = JobFiles(root);

        // Every assembly is loaded before any module registers, so a module may depend on a dll
        // in the directory that sorts after it: the default context then finds it by name.
        var assemblies = LoadAssemblies(files.Where(IsAssembly), logger);

        var catalog = new JobCatalog();
        var definingFiles = 0;
        foreach (var file in files)
        {
            if (IsScript(file))
            {
                RunScript(file, catalog, logger);
                definingFiles++;
            }
            else if (assemblies.TryGetValue(file, out var assembly) && RegisterModules(file, assembly, catalog, logger) > 0)
            {
                definingFiles++;
            }
        }

        // Jobs given in code (in-process nodes) join before validation, which seals the catalog.
        if (more is not null)
        {
            catalog.Source = "NodeOptions.Jobs";
            more(catalog);
        }
        if (catalog.Names.Count == 0)
        {
            throw new JobDefinitionException($"jobs directory '{root}' defines no jobs");
        }
        catalog.Validate();
        Log.JobsLoaded(logger, catalog.Names.Count, definingFiles, root);
        return catalog;
    }

    private static List<string> JobFiles(string root)
    {
        try
        {
            return Directory.EnumerateFiles(root, "*", Walk)
                .Where(file => IsScript(file) || IsAssembly(file))
                .Order(StringComparer.Ordinal)
                .ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new JobDefinitionException($"jobs directory '{root}' cannot be read: {e.Message}", e);
        }
    }

    private static bool IsScript(string path) => Path.GetExtension(path).Equals(".csx", StringComparison.OrdinalIgnoreCase);

    private static bool IsAssembly(string path) => Path.GetExtension(path).Equals(".dll", StringComparison.OrdinalIgnoreCase);

    private static Exception Unwrap(Exception e) => e is TargetInvocationException { InnerException: { } inner } ? inner : e;
}
