using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Reactor.Bench;

/// <summary>
/// A private redis-server for one run, configured as production would be (AOF, fsync every second,
/// no RDB snapshots), in a temporary directory that is removed with it.
/// </summary>
internal sealed class RedisServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private RedisServer(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Address = $"127.0.0.1:{port}";
    }

    public string Address { get; }

    public int Port => int.Parse(Address[(Address.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Starts redis-server with AOF (fsync every second), no RDB, plus <paramref name="extra"/> arguments.</summary>
    public static async Task<RedisServer> StartAsync(params string[] extra)
    {
        var directory = Directory.CreateTempSubdirectory("reactor-bench-redis-").FullName;
        var port = FreePort();
        var start = new ProcessStartInfo("redis-server") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = directory };
        foreach (var arg in new[] { "--port", $"{port}", "--bind", "127.0.0.1", "--dir", directory, "--appendonly", "yes", "--appendfsync", "everysec", "--save", "" }.Concat(extra))
        {
            start.ArgumentList.Add(arg);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new RedisServer(process, directory, port);
        for (var deadline = DateTime.UtcNow.AddSeconds(20); ; await Task.Delay(50))
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return server;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>Memory figures of a process from /proc (Linux).</summary>
internal static class ProcessMemory
{
    /// <summary>A field of /proc/PID/status in bytes (VmRSS, VmHWM), or 0 where /proc is missing.</summary>
    public static long Read(int pid, string field)
    {
        var path = $"/proc/{pid}/status";
        if (!File.Exists(path))
        {
            return 0;
        }
        foreach (var line in File.ReadLines(path))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                var kb = line[(field.Length + 1)..].Trim().Split(' ')[0];
                return long.Parse(kb, System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }
        return 0;
    }

    /// <summary>Resets VmHWM to the current RSS (writing 5 to clear_refs), so a peak is this workload's own.</summary>
    public static void ResetPeak(int pid)
    {
        try
        {
            File.WriteAllText($"/proc/{pid}/clear_refs", "5");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
