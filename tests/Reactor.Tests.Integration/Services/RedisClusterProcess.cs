using System.Diagnostics;
using StackExchange.Redis;

namespace Reactor.Tests.Integration.Services;

/// <summary>
/// A real Redis Cluster on this machine: three masters and one replica each, every one a
/// <c>redis-server --cluster-enabled yes</c> on a free port with its own directory, joined by
/// <c>redis-cli --cluster create</c>. One is started per test run (lazily, by the first test that
/// asks) and stopped when the run ends; <see cref="TestServices.RedisClusterVariable"/> names an
/// existing cluster instead.
/// </summary>
internal sealed class RedisClusterProcess : IAsyncDisposable
{
    private const int Masters = 3;

    private readonly List<RedisServerProcess> _servers;
    private readonly string _dir;

    private RedisClusterProcess(List<RedisServerProcess> servers, string dir)
    {
        _servers = servers;
        _dir = dir;
    }

    /// <summary>The seeds, as a StackExchange.Redis address (<c>host:port,host:port,...</c>).</summary>
    public string Address => string.Join(",", _servers.Select(s => s.Address));

    /// <summary>Every server, masters first as created (a failover changes which is which).</summary>
    public IReadOnlyList<RedisServerProcess> Servers => _servers;

    public static async Task<RedisClusterProcess> StartAsync()
    {
        var dir = Path.Combine(Path.GetTempPath(), "reactor-redis-cluster-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var servers = new List<RedisServerProcess>();
        var cluster = new RedisClusterProcess(servers, dir);
        try
        {
            for (var i = 0; i < Masters * 2; i++)
            {
                var port = RedisServerProcess.FreePort();
                var nodeDir = Path.Combine(dir, port.ToString(System.Globalization.CultureInfo.InvariantCulture));
                Directory.CreateDirectory(nodeDir);
                servers.Add(await RedisServerProcess.StartAsync(port, "--cluster-enabled", "yes", "--dir", nodeDir,
                    "--cluster-config-file", Path.Combine(nodeDir, "nodes.conf"), "--cluster-node-timeout", "2000",
                    // A replica promoted after its master died must take over at once in tests.
                    "--cluster-replica-validity-factor", "0"));
            }
            await RunCliAsync(["--cluster", "create", .. servers.Select(s => s.Address), "--cluster-replicas", "1", "--cluster-yes"]);
            await cluster.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits until every live server reports <c>cluster_state:ok</c> and all 16384 slots served (checks once for a zero patience).</summary>
    public async Task WaitUntilHealthyAsync(TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        var last = "";
        while (true)
        {
            var healthy = true;
            foreach (var server in _servers.Where(s => s.IsRunning))
            {
                last = await RunCliAsync(["-h", "127.0.0.1", "-p", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "cluster", "info"]);
                if (!last.Contains("cluster_state:ok", StringComparison.Ordinal) || !last.Contains("cluster_slots_ok:16384", StringComparison.Ordinal))
                {
                    healthy = false;
                    break;
                }
            }
            if (healthy)
            {
                return;
            }
            if (DateTime.UtcNow >= deadline)
            {
                break;
            }
            await Task.Delay(200);
        }
        throw new InvalidOperationException($"the Redis Cluster did not become healthy within {patience.TotalSeconds} s; last CLUSTER INFO:\n{last}");
    }

    /// <summary>Connects to the cluster through all seeds.</summary>
    public Task<ConnectionMultiplexer> ConnectAsync() => ConnectionMultiplexer.ConnectAsync(Address);

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Runs redis-cli (next to the configured redis-server, else on PATH) and returns its output.</summary>
    public static async Task<string> RunCliAsync(IEnumerable<string> arguments)
    {
        var server = Environment.GetEnvironmentVariable(RedisServerProcess.ServerVariable);
        var beside = server is { Length: > 0 } ? Path.Combine(Path.GetDirectoryName(server) ?? "", "redis-cli") : "";
        var start = new ProcessStartInfo(File.Exists(beside) ? beside : "redis-cli")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException("redis-cli did not start");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"redis-cli {string.Join(' ', arguments)} exited {process.ExitCode}: {await error}{await output}");
        }
        return await output;
    }
}
