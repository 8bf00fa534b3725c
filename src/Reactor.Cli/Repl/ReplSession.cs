using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Reactor.Cli.Repl;

/// <summary>
/// The read-eval-print loop: reads lines until a submission is complete, evaluates it in the state left
/// by the previous ones (so variables persist), prints its value or its error, and carries on. Ends at
/// end of input or <c>#exit</c>. A mistake in one submission never ends the session.
/// </summary>
internal sealed partial class ReplSession
{
    private const string ExitCommand = "#exit";

    private static readonly CSharpParseOptions ScriptParseOptions =
        CSharpParseOptions.Default.WithKind(SourceCodeKind.Script).WithLanguageVersion(LanguageVersion.Latest);

    private readonly ReplGlobals _globals;
    private readonly TextReader _input;
    private readonly TextWriter _output;
    private readonly TextWriter _error;
    private readonly bool _interactive;

    /// <param name="interactive">
    /// True when a person types the input: only then are the banner and prompts written, so that piped
    /// output holds nothing but results.
    /// </param>
    public ReplSession(ReplGlobals globals, TextReader input, TextWriter output, TextWriter error, bool interactive)
    {
        _globals = globals;
        _input = input;
        _output = output;
        _error = error;
        _interactive = interactive;
    }

    public async Task RunAsync(string banner, CancellationToken cancellationToken = default)
    {
        await PromptAsync(banner + "\n").ConfigureAwait(false);
        await StartAsync(cancellationToken).ConfigureAwait(false);
        var pending = new StringBuilder();
        while (true)
        {
            await PromptAsync(pending.Length == 0 ? "> " : "... ").ConfigureAwait(false);
            var line = await _input.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (line is null || line.Trim() == ExitCommand)
            {
                break;
            }
            if (pending.Length == 0 && string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            pending.Append(line).Append('\n');
            var code = pending.ToString();
            if (!SyntaxFactory.IsCompleteSubmission(SyntaxFactory.ParseSyntaxTree(code, ScriptParseOptions, cancellationToken: cancellationToken)))
            {
                continue;
            }
            pending.Clear();
            await EvaluateAsync(code, cancellationToken).ConfigureAwait(false);
        }
        // Input that ended mid-submission is still evaluated, so its syntax error is shown rather than
        // the text silently dropped.
        if (pending.Length > 0)
        {
            await EvaluateAsync(pending.ToString(), cancellationToken).ConfigureAwait(false);
        }
        if (_interactive)
        {
            await _output.WriteLineAsync().ConfigureAwait(false);
        }
    }

    private async Task PromptAsync(string text)
    {
        if (_interactive)
        {
            await _output.WriteAsync(text).ConfigureAwait(false);
            await _output.FlushAsync().ConfigureAwait(false);
        }
    }
}
