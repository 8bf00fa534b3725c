using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Reactor.Tests.Integration.Services;

/// <summary>
/// A private redis-server for tests that must break or configure their own server (a password, a
/// memory limit) without disturbing the shared one. Runs on a free port without persistence and is
/// killed on dispose.
/// </summary>
internal sealed class RedisServerProcess : IAsyncDisposable
{
    /// <summary>Environment variable with the path of the redis-server binary; default: redis-server on PATH.</summary>
    public const string ServerVariable = "REACTOR_TEST_REDIS_SERVER";

    private readonly Process _process;

    private RedisServerProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string Address => $"127.0.0.1:{Port}";

    /// <summary>False once the server was killed or exited.</summary>
    public bool IsRunning => !_process.HasExited;

    /// <summary>Kills the server at once, as a crash would (SIGKILL).</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Freezes the server (SIGSTOP), as an overloaded machine or a long fork would: connections stay open,
    /// nothing is read or answered, and clients' socket buffers fill. <see cref="Resume"/> thaws it.
    /// </summary>
    public void Pause() => Signal(SigStop);

    /// <summary>Thaws a server frozen by <see cref="Pause"/> (SIGCONT).</summary>
    public void Resume() => Signal(SigCont);

    // Linux numbers; Posix.Kill is the libc call the node runner uses for SIGTERM.
    private const int SigStop = 19;
    private const int SigCont = 18;

    private void Signal(int signal)
    {
        if (Posix.Kill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    public static Task<RedisServerProcess> StartAsync(params string[] extraArguments) => StartAsync(FreePort(), extraArguments);

    public static async Task<RedisServerProcess> StartAsync(int port, params string[] extraArguments)
    {
        var binary = Environment.GetEnvironmentVariable(ServerVariable) is { Length: > 0 } configured ? configured : "redis-server";
        var start = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "--port", $"{port}", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" }.Concat(extraArguments))
        {
            start.ArgumentList.Add(argument);
        }
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{binary} did not start");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException(
                $"This test runs its own Redis and could not start '{binary}' ({e.Message}). " +
                $"Install redis-server or set {ServerVariable} to its path.", e);
        }
        // Drained so a chatty server never blocks on a full pipe.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new RedisServerProcess(process, port);
        await server.WaitUntilListeningAsync().ConfigureAwait(false);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }
        _process.Dispose();
    }

    private async Task WaitUntilListeningAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with code {_process.ExitCode} before listening on {Port}");
            }
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port).ConfigureAwait(false);
                return;
            }
            catch (SocketException e)
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new InvalidOperationException($"redis-server did not listen on port {Port} within 20 s", e);
                }
                await Task.Delay(50).ConfigureAwait(false);
            }
        }
    }

    /// <summary>A port nothing listens on right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
