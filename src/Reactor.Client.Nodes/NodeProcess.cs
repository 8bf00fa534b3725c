using System.Diagnostics;

namespace Reactor;

/// <summary>
/// Starts <c>reactor node</c> as a child process: how examples and tests run real node processes.
/// The command is found through the <c>REACTOR_CLI</c> environment variable (a path to reactor.dll
/// or an executable), next to the app, in the repository's build output, or on PATH.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private readonly Process _process;

    private NodeProcess(Process process, string name)
    {
        _process = process;
        Name = name;
    }

    /// <summary>The node's name.</summary>
    public string Name { get; }

    /// <summary>The operating-system process id.</summary>
    public int Id => _process.Id;

    /// <summary>True once the process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Lines the node printed (stdout and stderr), for diagnostics.</summary>
    public IReadOnlyList<string> Output
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    private readonly List<string> _lines = [];

    /// <summary>Starts <c>reactor node --name NAME --distributor ADDRESS --jobs DIR</c> plus <paramref name="extraArgs"/>.</summary>
    public static NodeProcess Start(string name, string distributor, string jobsDirectory, params string[] extraArgs)
    {
        var (fileName, prefix) = LocateCli();
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in prefix.Concat(["node", "--name", name, "--distributor", distributor, "--jobs", jobsDirectory]).Concat(extraArgs))
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["REACTOR_NODE_NAME"] = name;
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var node = new NodeProcess(process, name);
        process.OutputDataReceived += (_, e) => node.Record(e.Data);
        process.ErrorDataReceived += (_, e) => node.Record(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return node;
    }

    /// <summary>Kills the process at once (SIGKILL): no goodbye, no cleanup, as in a crash.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    /// <summary>Asks the node to stop gracefully (SIGTERM) and waits for it to exit.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (_process.HasExited)
        {
            return;
        }
        if (OperatingSystem.IsWindows())
        {
            _process.Kill();
        }
        else
        {
            _ = Posix.Kill(_process.Id, Posix.Sigterm);
        }
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Kill();
        }
    }

    /// <summary>Waits for the process to exit and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(CancellationToken cancellationToken = default)
    {
        await _process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        return _process.ExitCode;
    }

    private int _disposed;

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        // Idempotent: an owner (a test fixture, a cluster helper) may dispose a process it was also handed.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        if (!_process.HasExited)
        {
            Kill();
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }
        _process.Dispose();
    }

    private void Record(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_lines)
        {
            _lines.Add(line);
        }
    }

    internal static (string FileName, string[] Prefix) LocateCli()
    {
        var configured = Environment.GetEnvironmentVariable("REACTOR_CLI");
        if (!string.IsNullOrEmpty(configured))
        {
            return AsCommand(configured);
        }
        var beside = Path.Combine(AppContext.BaseDirectory, "reactor.dll");
        if (File.Exists(beside))
        {
            return AsCommand(beside);
        }
        var built = FindInRepository();
        return built is not null ? AsCommand(built) : ("reactor", []);
    }

    private static (string, string[]) AsCommand(string path) =>
        path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? ("dotnet", [path]) : (path, []);

    /// <summary>Walks up from the app to the repository and picks the newest built reactor.dll.</summary>
    private static string? FindInRepository()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var cliBin = Path.Combine(dir.FullName, "src", "Reactor.Cli", "bin");
            if (Directory.Exists(cliBin))
            {
                return Directory.EnumerateFiles(cliBin, "reactor.dll", SearchOption.AllDirectories)
                    .OrderByDescending(File.GetLastWriteTimeUtc)
                    .FirstOrDefault();
            }
        }
        return null;
    }
}
