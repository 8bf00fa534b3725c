using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Reactor.Tests.Integration.Cli;
using Reactor.Tests.Integration.Support;

namespace Reactor.Tests.Integration.Metrics;

/// <summary>A <c>reactor node</c> child process with its own environment (OTEL_* variables) and captured output.</summary>
internal sealed class MetricsNode : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];

    private MetricsNode(Process process) => _process = process;

    public bool HasExited => _process.HasExited;

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

    public static MetricsNode Start(string name, string distributor, IReadOnlyDictionary<string, string> environment, params string[] extraArgs)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { CliProcess.DllPath, "node", "--name", name, "--distributor", distributor, "--jobs", Cluster.JobsDirectory,
            "--log-job-processing", "false" }.Concat(extraArgs))
        {
            start.ArgumentList.Add(arg);
        }
        foreach (var variable in start.Environment.Keys.Where(k => k.StartsWith("OTEL_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(variable);
        }
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        var node = new MetricsNode(new Process { StartInfo = start });
        node._process.OutputDataReceived += (_, e) => node.Record(e.Data);
        node._process.ErrorDataReceived += (_, e) => node.Record(e.Data);
        node._process.Start();
        node._process.BeginOutputReadLine();
        node._process.BeginErrorReadLine();
        return node;
    }

    /// <summary>A port nothing listens on right now (bound to 0, then released).</summary>
    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private void Record(string? line)
    {
        if (line is not null)
        {
            lock (_lines)
            {
                _lines.Add(line);
            }
        }
    }
}
