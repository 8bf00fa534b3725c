using System.Globalization;
using StackExchange.Redis;

namespace Reactor.Storage.Redis;

public sealed partial class RedisJobStore
{
    // A write Redis refuses while queueing it (OOM, a read-only replica, an ACL) makes it discard the
    // whole transaction with EXECABORT, which is what keeps a record from being half-written. Redis 7
    // does not say why in the EXECABORT reply and StackExchange.Redis drops the queue-time error, so
    // the reason is recovered from the server's memory figures.
    private static bool IsRefusedWrite(RedisServerException e) =>
        e.Message.StartsWith("EXECABORT", StringComparison.Ordinal) || e.Message.StartsWith("OOM", StringComparison.Ordinal);

    private async Task<InvalidOperationException> RefusedAsync(string what, RedisServerException e)
    {
        var memory = e.Message.StartsWith("OOM", StringComparison.Ordinal) ? "" : await DescribeMemoryAsync().ConfigureAwait(false);
        var outOfMemory = e.Message.StartsWith("OOM", StringComparison.Ordinal) || memory.Length > 0;
        var reason = outOfMemory
            ? $"Redis is out of memory{memory} (OOM command not allowed). Free memory in Redis or raise its maxmemory"
            : "Redis gave no reason; usual causes are maxmemory reached, a read-only replica, or missing ACL permissions";
        return new InvalidOperationException(
            $"Redis at {_endpoint} refused to {what} and discarded the whole write, so nothing was changed: {reason}. " +
            $"(Redis said: {e.Message})", e);
    }

    /// <summary>", using X of its maxmemory Y bytes" when Redis is at its limit, else empty.</summary>
    private async Task<string> DescribeMemoryAsync()
    {
        try
        {
            var info = (string?)await _db.ExecuteAsync("INFO", "memory").ConfigureAwait(false) ?? "";
            var used = InfoNumber(info, "used_memory");
            var max = InfoNumber(info, "maxmemory");
            // Within 5% of the limit counts: usage dips slightly once Redis has refused the write.
            return max > 0 && used >= max - max / 20 ? $", using {used} of its maxmemory {max} bytes" : "";
        }
        catch (RedisException)
        {
            return "";
        }
    }

    private static long InfoNumber(string info, string name)
    {
        foreach (var line in info.Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line.AsSpan(0, colon).SequenceEqual(name)
                && long.TryParse(line.AsSpan(colon + 1).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }
        }
        return 0;
    }
}
