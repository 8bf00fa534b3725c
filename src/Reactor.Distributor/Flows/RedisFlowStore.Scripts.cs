namespace Reactor.Distributor.Flows;

// The Lua scripts. Every key comes in KEYS and every value in ARGV: nothing user-supplied is ever
// spliced into script text. Each script refreshes the TTL of the keys it touches, so a run's keys
// expire one retention after its last publish.
internal sealed partial class RedisFlowStore
{
    // KEYS: claim, journal hash, fired set. ARGV: name, ttl ms, job id, journal entry ('' = none), trigger id ('' = none).
    private const string ClaimScript = """
        local prior = redis.call('GET', KEYS[1])
        if prior then
          return {0, prior}
        end
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        if ARGV[4] ~= '' then
          redis.call('HSET', KEYS[2], ARGV[3], ARGV[4])
        end
        if ARGV[5] ~= '' then
          redis.call('SADD', KEYS[3], ARGV[5])
          redis.call('PEXPIRE', KEYS[3], ARGV[2])
        end
        return {1, ARGV[1]}
        """;

    // Shared by both event scripts. KEYS: events hash, emission order list, triggers hash
    // (id -> JSON array of event names), payloads hash, fired set, scope index (sorted set of scope
    // -> last use in ms, for listing; entries older than the retention are dropped as it is written).
    private const string ReadyFunction = """
        local function ready(id, needsJson)
          if redis.call('SISMEMBER', KEYS[5], id) == 1 then
            return nil
          end
          local want = {}
          for _, name in ipairs(cjson.decode(needsJson)) do
            if redis.call('HEXISTS', KEYS[1], name) == 0 then
              return nil
            end
            want[name] = true
          end
          local out = {id, redis.call('HGET', KEYS[4], id)}
          for _, name in ipairs(redis.call('LRANGE', KEYS[2], 0, -1)) do
            if want[name] then
              table.insert(out, name)
              table.insert(out, redis.call('HGET', KEYS[1], name))
            end
          end
          return out
        end
        local function touch(ttl, scope, now)
          for i = 1, 5 do
            redis.call('PEXPIRE', KEYS[i], ttl)
          end
          redis.call('ZADD', KEYS[6], now, scope)
          redis.call('ZREMRANGEBYSCORE', KEYS[6], '-inf', '(' .. (tonumber(now) - tonumber(ttl)))
          redis.call('PEXPIRE', KEYS[6], ttl)
        end
        """;

    // ARGV: event name, data, ttl ms, scope, now ms. Returns the ready triggers waiting on this event.
    private const string EmitScript = ReadyFunction + "\n" + """
        if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 1 then
          redis.call('RPUSH', KEYS[2], ARGV[1])
        end
        local result = {}
        local all = redis.call('HGETALL', KEYS[3])
        for i = 1, #all, 2 do
          local waits = false
          for _, name in ipairs(cjson.decode(all[i + 1])) do
            if name == ARGV[1] then
              waits = true
            end
          end
          if waits then
            local r = ready(all[i], all[i + 1])
            if r then
              table.insert(result, r)
            end
          end
        end
        touch(ARGV[3], ARGV[4], ARGV[5])
        return result
        """;

    // ARGV: trigger id, JSON array of event names, payload, ttl ms, scope, now ms. Returns the trigger when ready.
    private const string RegisterScript = ReadyFunction + "\n" + """
        if redis.call('HSETNX', KEYS[3], ARGV[1], ARGV[2]) == 1 then
          redis.call('HSET', KEYS[4], ARGV[1], ARGV[3])
        end
        local r = ready(ARGV[1], redis.call('HGET', KEYS[3], ARGV[1]))
        touch(ARGV[4], ARGV[5], ARGV[6])
        return r or {}
        """;
}
