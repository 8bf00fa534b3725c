using System.Globalization;
using StackExchange.Redis;

namespace Reactor.Bench;

/// <summary>
/// Redis's own counters summed over every master (one, or each master of a cluster): reset with
/// <c>CONFIG RESETSTAT</c> before a workload, read from <c>INFO stats</c>, <c>INFO commandstats</c>
/// and <c>INFO cpu</c> after it. The counters are the server's, so they do not depend on how loaded
/// the machine is.
/// </summary>
internal sealed class RedisLoad : IAsyncDisposable
{
    private readonly ConnectionMultiplexer _connection;

    private RedisLoad(ConnectionMultiplexer connection) => _connection = connection;

    public static async Task<RedisLoad> ConnectAsync(string address) =>
        new(await ConnectionMultiplexer.ConnectAsync(address + ",allowAdmin=true"));

    private IServer[] Masters => [.. _connection.GetServers().Where(s => s.IsConnected && !s.IsReplica)];

    public async Task ResetAsync()
    {
        foreach (var server in Masters)
        {
            await server.ConfigResetStatisticsAsync();
        }
    }

    /// <summary>The counters since <see cref="ResetAsync"/>, summed and per master.</summary>
    public async Task<Snapshot> ReadAsync()
    {
        var perMaster = new List<long>();
        long commands = 0, input = 0, output = 0;
        double cpu = 0;
        var byCommand = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var server in Masters)
        {
            var stats = Fields(await server.InfoRawAsync("stats") ?? "");
            var processed = long.Parse(stats["total_commands_processed"], CultureInfo.InvariantCulture);
            perMaster.Add(processed);
            commands += processed;
            input += long.Parse(stats["total_net_input_bytes"], CultureInfo.InvariantCulture);
            output += long.Parse(stats["total_net_output_bytes"], CultureInfo.InvariantCulture);
            var cpuFields = Fields(await server.InfoRawAsync("cpu") ?? "");
            cpu += double.Parse(cpuFields["used_cpu_user"], CultureInfo.InvariantCulture) + double.Parse(cpuFields["used_cpu_sys"], CultureInfo.InvariantCulture);
            foreach (var (key, value) in Fields(await server.InfoRawAsync("commandstats") ?? ""))
            {
                // cmdstat_hset:calls=12,usec=...
                var calls = long.Parse(value.Split(',')[0].Split('=')[1], CultureInfo.InvariantCulture);
                var command = key["cmdstat_".Length..];
                byCommand[command] = byCommand.GetValueOrDefault(command) + calls;
            }
        }
        return new Snapshot(commands, input, output, cpu, perMaster, byCommand);
    }

    /// <summary>
    /// <see cref="ReadAsync"/> once Redis has gone quiet: node processes save job records in the
    /// background, so the last results reach the application before the last writes reach Redis.
    /// Reads every half second until fewer than <paramref name="quiet"/> commands arrived in between
    /// (discovery polls and announcement renewals go on; a minute at most).
    /// </summary>
    public async Task<Snapshot> ReadSettledAsync(long quiet)
    {
        var last = await ReadAsync();
        for (var deadline = DateTime.UtcNow.AddMinutes(1); DateTime.UtcNow < deadline;)
        {
            await Task.Delay(500);
            var now = await ReadAsync();
            var arrived = now.Commands - last.Commands;
            last = now;
            if (arrived < quiet)
            {
                break;
            }
        }
        return last;
    }

    /// <summary>Server CPU seconds (user + system) summed over the masters, read now (not reset by RESETSTAT).</summary>
    public async Task<double> CpuSecondsAsync()
    {
        double cpu = 0;
        foreach (var server in Masters)
        {
            var fields = Fields(await server.InfoRawAsync("cpu") ?? "");
            cpu += double.Parse(fields["used_cpu_user"], CultureInfo.InvariantCulture) + double.Parse(fields["used_cpu_sys"], CultureInfo.InvariantCulture);
        }
        return cpu;
    }

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();

    private static Dictionary<string, string> Fields(string info) =>
        info.Split('\n')
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#') && l.Contains(':', StringComparison.Ordinal))
            .Select(l => l.Split(':', 2))
            .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);

    internal sealed record Snapshot(long Commands, long InputBytes, long OutputBytes, double CpuSeconds, IReadOnlyList<long> PerMaster, IReadOnlyDictionary<string, long> ByCommand);
}
