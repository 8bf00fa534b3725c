using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Scripting;
using Reactor.Storage;

namespace Reactor.Cli.Repl;

internal sealed partial class ReplSession
{
    private static readonly ScriptOptions Options = ScriptOptions.Default
        .AddReferences(typeof(RedisMonitor).Assembly, typeof(JobArgs).Assembly, typeof(Enumerable).Assembly)
        .WithImports("System", "System.Collections.Generic", "System.Linq", "System.Threading.Tasks", "Reactor", "Reactor.Storage")
        .WithLanguageVersion(LanguageVersion.Latest);

    private ScriptState<object>? _state;

    // An empty first submission gives every later one a state to continue from, and loads Roslyn (about
    // a second) before the first prompt rather than after the first line.
    private async Task StartAsync(CancellationToken cancellationToken) =>
        _state = await CSharpScript.RunAsync("", Options, _globals, typeof(ReplGlobals), cancellationToken).ConfigureAwait(false);

    private async Task EvaluateAsync(string code, CancellationToken cancellationToken)
    {
        ScriptState<object> next;
        try
        {
            // Catching the submission's exception inside Roslyn keeps what it declared before throwing.
            next = await _state!.ContinueWithAsync(code, Options, catchException: _ => true, cancellationToken).ConfigureAwait(false);
        }
        catch (CompilationErrorException e)
        {
            // The state is unchanged, so the session goes on as if the line had not been typed.
            foreach (var diagnostic in e.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error))
            {
                await _error.WriteLineAsync(CSharpDiagnosticFormatter.Instance.Format(diagnostic, CultureInfo.InvariantCulture)).ConfigureAwait(false);
            }
            return;
        }
        _state = next;
        if (next.Exception is { } thrown)
        {
            await _error.WriteLineAsync(Describe(thrown)).ConfigureAwait(false);
            return;
        }
        if (EndsWithValue(next.Script))
        {
            await PrintAsync(next.ReturnValue).ConfigureAwait(false);
        }
    }

    private async Task PrintAsync(object? value)
    {
        string text;
        try
        {
            text = ReplPrinter.Format(value);
        }
        catch (Exception e)
        {
            // Printing runs user code too (ToString, a lazy query hitting Redis); its failure is the
            // submission's failure, not the session's.
            await _error.WriteLineAsync(Describe(e)).ConfigureAwait(false);
            return;
        }
        await _output.WriteLineAsync(text).ConfigureAwait(false);
    }

    private static string Describe(Exception e) => $"{e.GetType().FullName}: {e.Message}";

    /// <summary>
    /// True when the submission ends with an expression that has a value (no semicolon, not void), the
    /// only case in which the REPL prints: a statement or a void call returns null too, and printing
    /// "null" after <c>var x = 1;</c> would be noise.
    /// </summary>
    private static bool EndsWithValue(Script script)
    {
        var compilation = script.GetCompilation();
        // Files pulled in with #load are trees of the same compilation; the submission is the one typed.
        var tree = compilation.SyntaxTrees.LastOrDefault(t => t.ToString() == script.Code);
        if (tree?.GetCompilationUnitRoot().Members.LastOrDefault() is not GlobalStatementSyntax
            {
                Statement: ExpressionStatementSyntax { SemicolonToken.IsMissing: true } statement,
            })
        {
            return false;
        }
        var type = compilation.GetSemanticModel(tree).GetTypeInfo(statement.Expression).Type;
        return type is not null && type.SpecialType != SpecialType.System_Void;
    }
}
