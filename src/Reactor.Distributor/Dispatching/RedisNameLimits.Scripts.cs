namespace Reactor.Distributor;

// The Lua side of RedisNameLimits. KEYS: held (hash instance → slots), alive (zset instance → lease
// expiry in ms), bucket (hash tokens/at). Time is Redis's own (TIME; scripts replicate their effects).
internal sealed partial class RedisNameLimits
{
    /// <summary>
    /// ARGV: instance, want, concurrency (0 = none), perSecond (0 = none), burst, ttl ms.
    /// Reclaims expired instances' slots, grants min(want, free slots, whole tokens), and returns
    /// {granted, wait}: when not one whole token was left, wait is the ms until half the bucket (at least
    /// one token, at most the request) is due; else -1.
    /// </summary>
    private const string AcquireScript = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local want = tonumber(ARGV[2])
        local limit = tonumber(ARGV[3])
        local rate = tonumber(ARGV[4])
        local grant = want
        if limit > 0 then
          for _, dead in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)) do
            redis.call('HDEL', KEYS[1], dead)
            redis.call('ZREM', KEYS[2], dead)
          end
          local used = 0
          for _, n in ipairs(redis.call('HVALS', KEYS[1])) do used = used + tonumber(n) end
          grant = math.max(0, math.min(grant, limit - used))
        end
        local wait = -1
        if rate > 0 and grant > 0 then
          local burst = tonumber(ARGV[5])
          local bucket = redis.call('HMGET', KEYS[3], 'tokens', 'at')
          local tokens = burst
          if bucket[1] then
            tokens = math.min(burst, tonumber(bucket[1]) + math.max(0, now - tonumber(bucket[2])) * rate / 1000)
          end
          local whole = math.floor(tokens)
          if whole < grant then
            if whole == 0 then
              -- Ask back when half the bucket is due, not all of it: an answer that comes late
              -- (round trip, timer) then still finds room, and no token overflows the bucket.
              local need = math.max(1, math.min(grant, math.floor(burst / 2)))
              wait = math.max(1, math.ceil((need - tokens) * 1000 / rate))
            end
            grant = whole
          end
          tokens = tokens - grant
          redis.call('HSET', KEYS[3], 'tokens', string.format('%.6f', tokens), 'at', now)
          redis.call('PEXPIRE', KEYS[3], math.ceil(burst * 1000 / rate) + 1000)
        end
        if limit > 0 and grant > 0 then
          redis.call('HINCRBY', KEYS[1], ARGV[1], grant)
          redis.call('ZADD', KEYS[2], now + tonumber(ARGV[6]), ARGV[1])
          -- Leases nobody renews (every holder gone) must not stay in Redis forever.
          redis.call('PEXPIRE', KEYS[1], 2 * tonumber(ARGV[6]))
          redis.call('PEXPIRE', KEYS[2], 2 * tonumber(ARGV[6]))
        end
        return {grant, wait}
        """;

    /// <summary>ARGV: instance, count. Hands back slots; an instance holding none leaves both keys.</summary>
    private const string ReleaseScript = """
        local left = redis.call('HINCRBY', KEYS[1], ARGV[1], -tonumber(ARGV[2]))
        if left <= 0 then
          redis.call('HDEL', KEYS[1], ARGV[1])
          redis.call('ZREM', KEYS[2], ARGV[1])
        end
        return left
        """;

    /// <summary>ARGV: instance, slots held, ttl ms. Extends the lease; restores the count if it was reclaimed meanwhile.</summary>
    private const string RenewScript = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then
          redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
        end
        redis.call('ZADD', KEYS[2], now + tonumber(ARGV[3]), ARGV[1])
        redis.call('PEXPIRE', KEYS[1], 2 * tonumber(ARGV[3]))
        redis.call('PEXPIRE', KEYS[2], 2 * tonumber(ARGV[3]))
        return 0
        """;

    /// <summary>ARGV: instance. Drops every slot the instance holds (a graceful stop).</summary>
    private const string DropScript = """
        redis.call('HDEL', KEYS[1], ARGV[1])
        redis.call('ZREM', KEYS[2], ARGV[1])
        return 0
        """;
}
