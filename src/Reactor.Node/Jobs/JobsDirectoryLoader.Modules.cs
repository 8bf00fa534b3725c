using System.Reflection;
using System.Runtime.Loader;
using Microsoft.Extensions.Logging;

namespace Reactor.Node.Jobs;

internal static partial class JobsDirectoryLoader
{
    // The host's own dependencies bind by name in the default context. A copy of one shipped next to a module
    // (Reactor.Node.dll, a logging package) would be refused, or would replace the host's version for everyone
    // and break type identity; either way it must not be loaded from the jobs directory.
    private static readonly Lazy<HashSet<string>> HostAssemblyNames = new(() =>
        ((AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string) ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(Path.GetFileNameWithoutExtension)
            .OfType<string>()
            .ToHashSet(StringComparer.OrdinalIgnoreCase));

    private static readonly string JobsApiAssembly = typeof(IJobModule).Assembly.GetName().Name!;

    private static Dictionary<string, Assembly> LoadAssemblies(IEnumerable<string> paths, ILogger logger)
    {
        var loaded = new Dictionary<string, Assembly>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            AssemblyName name;
            try
            {
                name = AssemblyName.GetAssemblyName(path);
            }
            catch (BadImageFormatException)
            {
                Log.NotAnAssembly(logger, path);
                continue;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new JobDefinitionException($"'{path}' cannot be read: {e.Message}", e);
            }

            var simpleName = name.Name ?? "";
            var earlier = AppDomain.CurrentDomain.GetAssemblies()
                .FirstOrDefault(a => string.Equals(a.GetName().Name, simpleName, StringComparison.OrdinalIgnoreCase));
            if (HostAssemblyNames.Value.Contains(simpleName)
                || (earlier is not null && AssemblyLoadContext.GetLoadContext(earlier) != AssemblyLoadContext.Default))
            {
                Log.HostAssemblySkipped(logger, path, simpleName);
                continue;
            }
            if (earlier is not null)
            {
                // Loaded from a jobs directory before (a second load in this process, or the same dll shipped
                // twice): the default context holds one copy per name, so that copy is the one to use.
                Log.AssemblyReused(logger, path, simpleName, earlier.Location);
                loaded[path] = earlier;
                continue;
            }

            try
            {
                loaded[path] = AssemblyLoadContext.Default.LoadFromAssemblyPath(path);
            }
            catch (BadImageFormatException)
            {
                // Reference assemblies and other metadata-only images carry a name but cannot run.
                Log.NotAnAssembly(logger, path);
            }
            catch (FileLoadException e)
            {
                throw new JobDefinitionException($"'{path}' cannot be loaded: {e.Message}", e);
            }
        }
        return loaded;
    }

    private static int RegisterModules(string path, Assembly assembly, JobCatalog catalog, ILogger logger)
    {
        var registered = 0;
        foreach (var type in ModuleTypes(path, assembly))
        {
            catalog.Source = $"{path} ({type.FullName})";
            try
            {
                var module = (IJobModule)Activator.CreateInstance(type)!;
                // Services first: Register may already resolve nothing, but a module can rely on the order.
                module.ConfigureServices(catalog.ModuleServices);
                module.Register(catalog);
            }
            catch (JobDefinitionException)
            {
                throw;
            }
            catch (Exception e)
            {
                var cause = Unwrap(e);
                throw new JobDefinitionException(
                    $"job module {type.FullName} in '{path}' failed to register: {cause.GetType().Name}: {cause.Message}", cause);
            }
            Log.ModuleRegistered(logger, type.FullName!, path);
            registered++;
        }
        return registered;
    }

    private static IEnumerable<Type> ModuleTypes(string path, Assembly assembly)
    {
        // A dependency that never references the jobs API cannot hold a module, and reading its types
        // could fail for reasons that are not ours to report (an optional dependency missing, say).
        if (!assembly.GetReferencedAssemblies().Any(r => string.Equals(r.Name, JobsApiAssembly, StringComparison.OrdinalIgnoreCase)))
        {
            return [];
        }

        Type[] types;
        try
        {
            types = assembly.GetExportedTypes();
        }
        catch (Exception e) when (e is ReflectionTypeLoadException or FileNotFoundException or FileLoadException or TypeLoadException)
        {
            var cause = e is ReflectionTypeLoadException { LoaderExceptions: [{ } first, ..] } ? first : e;
            throw new JobDefinitionException($"the types in '{path}' cannot be read: {cause.Message}", e);
        }

        return types
            .Where(t => t.IsClass && !t.IsAbstract && !t.ContainsGenericParameters
                && typeof(IJobModule).IsAssignableFrom(t)
                && t.GetConstructor(Type.EmptyTypes) is not null)
            .OrderBy(t => t.FullName, StringComparer.Ordinal);
    }
}
