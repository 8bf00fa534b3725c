using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;
using Microsoft.Extensions.Logging;

namespace Reactor.Node.Jobs;

internal static partial class JobsDirectoryLoader
{
    /// <summary>The namespaces every jobs script imports (docs/architecture.md lists them).</summary>
    internal static readonly string[] DefaultUsings =
    [
        "System", "System.Collections.Generic", "System.Collections.Concurrent", "System.Diagnostics", "System.Globalization",
        "System.IO", "System.Linq", "System.Net.Http", "System.Text", "System.Text.Json", "System.Text.RegularExpressions",
        "System.Threading", "System.Threading.Tasks", "Reactor",
    ];

    // Built once and shared: the reference objects keep the metadata Roslyn has read. Most of the first
    // script's cost (about a second here) is Roslyn itself warming up; later scripts take a fraction of it.
    private static readonly Lazy<ScriptOptions> ScriptBase = new(() => ScriptOptions.Default
        .AddReferences(
            typeof(JobArgs).Assembly, typeof(JobScriptGlobals).Assembly, typeof(Enumerable).Assembly,
            typeof(File).Assembly, typeof(HttpClient).Assembly, typeof(System.Text.Json.JsonSerializer).Assembly,
            typeof(System.Text.RegularExpressions.Regex).Assembly, typeof(System.Collections.Concurrent.ConcurrentDictionary<,>).Assembly,
            typeof(Thread).Assembly, typeof(Stopwatch).Assembly, typeof(Microsoft.Extensions.DependencyInjection.IServiceCollection).Assembly)
        // What a new console app imports implicitly, plus the usual suspects of job code, so a script
        // reads like any C# file: Thread.Sleep, File, HttpClient and JsonSerializer need no using.
        .WithImports(DefaultUsings)
        // Debug information puts script line numbers into the stack traces of failing jobs.
        .WithEmitDebugInformation(true)
        .WithFileEncoding(Encoding.UTF8));

    private static void RunScript(string path, JobCatalog catalog, ILogger logger)
    {
        var started = Stopwatch.GetTimestamp();
        var script = CSharpScript.Create(ReadScript(path), ScriptBase.Value.WithFilePath(path), typeof(JobScriptGlobals));

        // Compile also emits and loads the assembly, so the time logged is all that precedes running it.
        var errors = script.Compile().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (errors.Count > 0)
        {
            throw new JobDefinitionException(
                $"jobs file '{path}' does not compile:{Environment.NewLine}"
                + string.Join(Environment.NewLine, errors.Select(error => Format(error, path))));
        }
        Log.ScriptCompiled(logger, path, Stopwatch.GetElapsedTime(started).TotalMilliseconds);

        try
        {
            // The node has no synchronization context, so waiting on top-level awaits cannot deadlock.
            script.RunAsync(new JobScriptGlobals(catalog, path)).GetAwaiter().GetResult();
        }
        catch (JobDefinitionException)
        {
            throw;
        }
        catch (Exception e)
        {
            throw new JobDefinitionException($"jobs file '{path}' threw {e.GetType().Name}{LineIn(e, path)}: {e.Message}", e);
        }
    }

    private static string ReadScript(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new JobDefinitionException($"jobs file '{path}' cannot be read: {e.Message}", e);
        }
    }

    private static string Format(Diagnostic error, string path)
    {
        var message = error.GetMessage(CultureInfo.InvariantCulture);
        if (!error.Location.IsInSource)
        {
            return $"{path}: error {error.Id}: {message}";
        }
        var span = error.Location.GetMappedLineSpan();
        var file = string.IsNullOrEmpty(span.Path) ? path : span.Path;
        var start = span.StartLinePosition;
        return string.Create(CultureInfo.InvariantCulture, $"{file}({start.Line + 1},{start.Character + 1}): error {error.Id}: {message}");
    }

    private static string LineIn(Exception e, string path)
    {
        var frames = new StackTrace(e, fNeedFileInfo: true).GetFrames();
        var line = frames.FirstOrDefault(f => f.GetFileName() == path && f.GetFileLineNumber() > 0)?.GetFileLineNumber();
        return line is null ? "" : string.Create(CultureInfo.InvariantCulture, $" at line {line}");
    }
}
