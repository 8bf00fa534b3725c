using System.Diagnostics;

namespace Reactor.Tests.Integration.Cli;

/// <summary>What one run of the CLI left behind.</summary>
internal sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Everything the run printed, for assertion messages.</summary>
    public override string ToString() => $"exit code {ExitCode}\n--- stdout ---\n{Stdout}--- stderr ---\n{Stderr}";
}

/// <summary>
/// Runs the built <c>reactor.dll</c> as a child process, as a person at a shell would, with stdin,
/// stdout and stderr redirected (so stdin is never a terminal).
/// </summary>
internal static class CliProcess
{
    private static readonly Lazy<string> Dll = new(Locate);

    /// <summary>The built reactor.dll, for tests that start long-running commands themselves.</summary>
    public static string DllPath => Dll.Value;

    public static async Task<CliResult> RunAsync(IEnumerable<string> args, string? stdin = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Dll.Value);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        // The caller's own REACTOR_REDIS must not pick the server for a test that leaves out --redis.
        start.Environment.Remove("REACTOR_REDIS");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        // Read both pipes from the start: a child blocked on a full pipe would never exit.
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"reactor {string.Join(' ', args)} did not exit within 2 minutes");
        }
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>
    /// src/Reactor.Cli/bin/&lt;Configuration&gt;/net10.0/reactor.dll of the repository holding this test
    /// assembly, built with the same configuration (the test project references the CLI project, so
    /// building the tests builds it).
    /// </summary>
    private static string Locate()
    {
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = testBin.Name;
        var configuration = testBin.Parent?.Name ?? "Debug";
        for (var dir = testBin; dir is not null; dir = dir.Parent)
        {
            var cliProject = Path.Combine(dir.FullName, "src", "Reactor.Cli");
            if (Directory.Exists(cliProject))
            {
                var dll = Path.Combine(cliProject, "bin", configuration, framework, "reactor.dll");
                return File.Exists(dll) ? dll : throw new FileNotFoundException($"{dll} is missing; build src/Reactor.Cli -c {configuration}", dll);
            }
        }
        throw new DirectoryNotFoundException($"no src/Reactor.Cli above {testBin.FullName}");
    }
}
