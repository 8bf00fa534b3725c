using System.Diagnostics;

namespace Reactor.Bench;

/// <summary>
/// A private 3-master Redis Cluster for one run: three <see cref="RedisServer"/>s with
/// <c>--cluster-enabled yes</c>, joined by <c>redis-cli --cluster create</c>. No replicas: on a
/// 2-core machine a replica stream per master would compete with the workload it is meant to
/// protect, and the figures wanted here are the masters' load.
/// </summary>
internal sealed class RedisClusterServer : IAsyncDisposable
{
    private const int Masters = 3;

    private readonly List<RedisServer> _servers;

    private RedisClusterServer(List<RedisServer> servers) => _servers = servers;

    /// <summary>The seeds, in the StackExchange.Redis form (<c>host:port,host:port,...</c>).</summary>
    public string Address => string.Join(",", _servers.Select(s => s.Address));

    public static async Task<RedisClusterServer> StartAsync()
    {
        var servers = new List<RedisServer>();
        var cluster = new RedisClusterServer(servers);
        try
        {
            for (var i = 0; i < Masters; i++)
            {
                servers.Add(await RedisServer.StartAsync("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "5000"));
            }
            await CliAsync(["--cluster", "create", .. servers.Select(s => s.Address), "--cluster-replicas", "0", "--cluster-yes"]);
            for (var deadline = DateTime.UtcNow.AddSeconds(60); ; await Task.Delay(200))
            {
                var healthy = true;
                foreach (var server in servers)
                {
                    var info = await CliAsync(["-p", $"{server.Port}", "cluster", "info"]);
                    healthy &= info.Contains("cluster_state:ok", StringComparison.Ordinal);
                }
                if (healthy)
                {
                    return cluster;
                }
                if (DateTime.UtcNow > deadline)
                {
                    throw new InvalidOperationException("the bench's Redis Cluster did not reach cluster_state:ok within 60 s");
                }
            }
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }
    }

    private static async Task<string> CliAsync(string[] arguments)
    {
        var start = new ProcessStartInfo("redis-cli") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException("redis-cli did not start");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return process.ExitCode == 0
            ? await output
            : throw new InvalidOperationException($"redis-cli {string.Join(' ', arguments)} exited {process.ExitCode}: {await error}{await output}");
    }
}
