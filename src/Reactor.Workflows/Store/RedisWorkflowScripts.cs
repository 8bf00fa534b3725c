namespace Reactor.Workflows.Store;

/// <summary>
/// The Lua scripts behind every state change of <see cref="RedisWorkflowStore"/>. Each one is a
/// compare-and-set plus the history and outbox entries it produces, so racing engines cannot both
/// transition and an event is queued exactly when its transition happens. Everything variable comes
/// in through KEYS and ARGV: the script text is constant, so nothing a caller sends can change it.
/// Every script touches only keys of one workflow (one hash tag, so one Redis Cluster slot); the
/// outbox it writes is the workflow's own list, and the engine-wide sets (active workflows, workflows
/// with outbox entries) are kept by <see cref="RedisWorkflowStore"/> around the script.
/// An "outgoing" block in ARGV is: n, n history entries, m, m outbox entries.
/// </summary>
internal static class RedisWorkflowScripts
{
    private const string Prelude = """
        local function write(i, history, outbox)
          local n = tonumber(ARGV[i]); i = i + 1
          for j = 1, n do redis.call('RPUSH', history, ARGV[i]); i = i + 1 end
          n = tonumber(ARGV[i]); i = i + 1
          for j = 1, n do redis.call('RPUSH', outbox, ARGV[i]); i = i + 1 end
          return i
        end
        local function accepts(meta)
          local status = redis.call('HGET', meta, 'status')
          return status == 'running' or status == 'paused'
        end

        """;

    // KEYS: meta, history, outbox. ARGV: id, nFields, (field, value)*, outgoing.
    public const string Create = Prelude + """
        if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
        local n = tonumber(ARGV[2]); local i = 3
        for j = 1, n do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]); i = i + 2 end
        write(i, KEYS[2], KEYS[3])
        return 1
        """;

    // KEYS: meta, pending, tasks, history, outbox. ARGV: step, input, nTasks, (id, spec)*, outgoing.
    // Returns 0 started, 1 already started, 2 workflow not running.
    public const string StartStep = Prelude + """
        if redis.call('HGET', KEYS[1], 'status') ~= 'running' then return 2 end
        if redis.call('HEXISTS', KEYS[1], 'step:' .. ARGV[1]) == 1 then return 1 end
        redis.call('HSET', KEYS[1], 'step:' .. ARGV[1], 'running', 'input:' .. ARGV[1], ARGV[2])
        local n = tonumber(ARGV[3]); local i = 4
        for j = 1, n do
          redis.call('SADD', KEYS[2], ARGV[i]); redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 1]); i = i + 2
        end
        write(i, KEYS[4], KEYS[5])
        return 0
        """;

    // KEYS: meta, pending, done, tasks, outputs, history, outbox.
    // ARGV: step, taskId, output, nChildren, (id, spec)*, outgoing when recorded, outgoing when the step finished.
    // Returns 0 recorded, 1 step finished, 2 duplicate, 3 ignored.
    public const string FinishTask = Prelude + """
        if redis.call('SISMEMBER', KEYS[3], ARGV[2]) == 1 then return 2 end
        if not accepts(KEYS[1]) then return 3 end
        if redis.call('HGET', KEYS[1], 'step:' .. ARGV[1]) ~= 'running' then return 3 end
        if redis.call('SREM', KEYS[2], ARGV[2]) == 0 then return 3 end
        redis.call('SADD', KEYS[3], ARGV[2])
        redis.call('HSET', KEYS[5], ARGV[2], ARGV[3])
        local n = tonumber(ARGV[4]); local i = 5
        for j = 1, n do
          if redis.call('SISMEMBER', KEYS[3], ARGV[i]) == 0 then
            redis.call('SADD', KEYS[2], ARGV[i]); redis.call('HSET', KEYS[4], ARGV[i], ARGV[i + 1])
          end
          i = i + 2
        end
        i = write(i, KEYS[6], KEYS[7])
        if redis.call('SCARD', KEYS[2]) > 0 then return 0 end
        redis.call('HSET', KEYS[1], 'step:' .. ARGV[1], 'finished')
        write(i, KEYS[6], KEYS[7])
        return 1
        """;

    // KEYS: meta, pending, history, outbox. ARGV: step, outgoing.
    public const string FinishEmptyStep = Prelude + """
        if not accepts(KEYS[1]) then return 0 end
        if redis.call('HGET', KEYS[1], 'step:' .. ARGV[1]) ~= 'running' then return 0 end
        if redis.call('SCARD', KEYS[2]) > 0 then return 0 end
        redis.call('HSET', KEYS[1], 'step:' .. ARGV[1], 'finished')
        write(2, KEYS[3], KEYS[4])
        return 1
        """;

    // KEYS: meta, pending, done, history, outbox. ARGV: step, taskId, error, outgoing.
    public const string FailStep = Prelude + """
        if not accepts(KEYS[1]) then return 0 end
        if redis.call('HGET', KEYS[1], 'step:' .. ARGV[1]) ~= 'running' then return 0 end
        if redis.call('SISMEMBER', KEYS[3], ARGV[2]) == 1 then return 0 end
        if redis.call('SISMEMBER', KEYS[2], ARGV[2]) == 0 then return 0 end
        redis.call('HSET', KEYS[1], 'step:' .. ARGV[1], 'failed')
        if redis.call('HEXISTS', KEYS[1], 'error') == 0 then redis.call('HSET', KEYS[1], 'error', ARGV[3]) end
        write(4, KEYS[4], KEYS[5])
        return 1
        """;

    // KEYS: meta, history, outbox, then every other key of the workflow (all expired when terminal).
    // ARGV: id, nFrom, from*, to, error ('' for none), terminal ('1'/'0'), retention ms, outgoing.
    public const string SetStatus = Prelude + """
        local status = redis.call('HGET', KEYS[1], 'status')
        if not status then return 0 end
        local n = tonumber(ARGV[2]); local ok = false
        for j = 1, n do if ARGV[2 + j] == status then ok = true end end
        if not ok then return 0 end
        local i = 3 + n
        redis.call('HSET', KEYS[1], 'status', ARGV[i])
        if ARGV[i + 1] ~= '' then redis.call('HSET', KEYS[1], 'error', ARGV[i + 1]) end
        local terminal = ARGV[i + 2] == '1'
        local ttl = tonumber(ARGV[i + 3])
        write(i + 4, KEYS[2], KEYS[3])
        if terminal then
          for k = 1, #KEYS do redis.call('PEXPIRE', KEYS[k], ttl) end
        end
        return 1
        """;

    // KEYS: meta. ARGV: expected owner ('' for none), new owner.
    public const string Claim = """
        if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
        if (redis.call('HGET', KEYS[1], 'owner') or '') ~= ARGV[1] then return 0 end
        redis.call('HSET', KEYS[1], 'owner', ARGV[2])
        return 1
        """;

    // KEYS: outbox. ARGV: the entry the relay just sent; removed only if still at the head. Returns 1 when removed.
    public const string RemoveOutboxHead = """
        if redis.call('LINDEX', KEYS[1], 0) == ARGV[1] then redis.call('LPOP', KEYS[1]); return 1 end
        return 0
        """;
}
