using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace Reactor.Tests.Integration.Services;

/// <summary>
/// A real Redis Sentinel on a free port: <c>redis-server sentinel.conf --sentinel</c> (the Debian
/// redis-server package ships no separate redis-sentinel binary; the server in sentinel mode is the
/// same program) monitoring one master under <see cref="ServiceName"/>, with a quorum of one and
/// short timeouts so a failover takes seconds. Sentinel rewrites its config file, so it gets its own
/// directory, removed on dispose.
/// </summary>
internal sealed class RedisSentinelProcess : IAsyncDisposable
{
    public const string ServiceName = "reactormaster";

    private readonly Process _process;
    private readonly string _dir;

    private RedisSentinelProcess(Process process, string dir, int port)
    {
        _process = process;
        _dir = dir;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The address Reactor components take: the sentinel plus <c>serviceName=</c>.</summary>
    public string Address => $"127.0.0.1:{Port},serviceName={ServiceName}";

    public static async Task<RedisSentinelProcess> StartAsync(int masterPort)
    {
        var dir = Path.Combine(Path.GetTempPath(), "reactor-sentinel-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var port = RedisServerProcess.FreePort();
        var config = Path.Combine(dir, "sentinel.conf");
        await File.WriteAllLinesAsync(config,
        [
            $"port {port}",
            "bind 127.0.0.1",
            $"dir {dir}",
            $"sentinel monitor {ServiceName} 127.0.0.1 {masterPort} 1",
            $"sentinel down-after-milliseconds {ServiceName} 1000",
            $"sentinel failover-timeout {ServiceName} 10000",
            $"sentinel parallel-syncs {ServiceName} 1",
        ]);
        var binary = Environment.GetEnvironmentVariable(RedisServerProcess.ServerVariable) is { Length: > 0 } configured ? configured : "redis-server";
        var start = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(config);
        start.ArgumentList.Add("--sentinel");
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{binary} --sentinel did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var sentinel = new RedisSentinelProcess(process, dir, port);
        for (var deadline = DateTime.UtcNow.AddSeconds(20); ; await Task.Delay(50))
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(System.Net.IPAddress.Loopback, port);
                return sentinel;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
            }
            catch (SocketException)
            {
                await sentinel.DisposeAsync();
                throw new InvalidOperationException($"redis-server --sentinel did not listen on {port} (exited: {process.HasExited})");
            }
        }
    }

    /// <summary>The master's port as this sentinel reports it now (<c>SENTINEL get-master-addr-by-name</c>).</summary>
    public async Task<int> MasterPortAsync()
    {
        var output = await RedisClusterProcess.RunCliAsync(["-p", Port.ToString(CultureInfo.InvariantCulture), "sentinel", "get-master-addr-by-name", ServiceName]);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length >= 2 ? int.Parse(lines[1], CultureInfo.InvariantCulture) : 0;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
