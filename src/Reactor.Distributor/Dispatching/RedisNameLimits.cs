using System.Globalization;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Reactor.Distributor;

/// <summary>
/// Limits shared by every application instance on one Redis. Per limited name, three keys in one hash
/// slot (<c>{prefix}:limit:{name}:held|alive|bucket</c>, the name as hash tag, so the scripts are legal
/// on Redis Cluster): a hash of concurrency slots held per instance, a sorted set of each instance's
/// lease expiry (renewed every third of <c>LimitLeaseTtl</c>; a killed instance's slots are reclaimed by
/// the next request after its lease expired), and the token bucket, refilled from Redis's own clock so
/// instances with skewed clocks agree. Permits are asked for in batches (one round trip for up to the
/// jobs waiting, bounded by the bucket and the free slots) and kept here until the dispatcher uses
/// them; what it cannot use goes back at once. A finished job's slot goes back in one fire-and-forget
/// round trip. Names without a limit never reach Redis.
/// </summary>
internal sealed partial class RedisNameLimits : NameLimits
{
    /// <summary>Most permits asked for in one round trip.</summary>
    private const int MaxBatch = 64;

    /// <summary>
    /// How soon a name refused because other instances hold every slot asks again (while its jobs wait):
    /// their releases are not announced, so this bounds how long a freed slot stays unused.
    /// </summary>
    internal static readonly TimeSpan FullRetry = TimeSpan.FromMilliseconds(100);

    /// <summary>How soon a request that failed (Redis unreachable) is tried again; the jobs keep waiting.</summary>
    private static readonly TimeSpan ErrorRetry = TimeSpan.FromSeconds(1);

    private readonly Dictionary<string, State> _byName = new(StringComparer.Ordinal);
    private readonly IDatabase _db;
    private readonly TimeSpan _ttl;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Action<string> _opened;
    private readonly Func<string, int> _waiting;
    private readonly string _instance = Guid.NewGuid().ToString("N");
    private readonly Lock _sync = new();
    private readonly ITimer _renewal;
    private bool _stopped;

    public RedisNameLimits(IDatabase db, string prefix, IEnumerable<JobLimit> limits, TimeSpan ttl, TimeProvider time, ILogger logger,
        Action<string> opened, Func<string, int> waiting)
    {
        _db = db;
        _ttl = ttl;
        _time = time;
        _logger = logger;
        _opened = opened;
        _waiting = waiting;
        foreach (var limit in limits)
        {
            var tag = "{" + Uri.EscapeDataString(limit.Name) + "}";
            _byName[limit.Name] = new State(limit, $"{prefix}:limit:{tag}:held", $"{prefix}:limit:{tag}:alive", $"{prefix}:limit:{tag}:bucket");
        }
        _renewal = time.CreateTimer(_ => Renew(), null, ttl / 3, ttl / 3);
    }

    public override bool Any => true;

    public override JobLimit? Of(string name) => _byName.GetValueOrDefault(name)?.Limit;

    public override bool IsOpen(string name)
    {
        if (!_byName.TryGetValue(name, out var state))
        {
            return true;
        }
        lock (_sync)
        {
            if (state.Free > 0)
            {
                return true;
            }
            Ask(name, state);
            return false;
        }
    }

    public override bool TryStart(JobEnvelope job)
    {
        if (!_byName.TryGetValue(job.Name, out var state))
        {
            return true;
        }
        lock (_sync)
        {
            if (state.Free == 0)
            {
                Ask(job.Name, state);
                return false;
            }
            state.Free--;
            state.Running++;
            job.HoldsLimit = true;
            return true;
        }
    }

    public override bool Finished(JobEnvelope job)
    {
        if (!job.HoldsLimit || !_byName.TryGetValue(job.Name, out var state))
        {
            return false;
        }
        job.HoldsLimit = false;
        lock (_sync)
        {
            state.Running--;
        }
        if (state.Limit.Concurrency is not null)
        {
            // Sent before any request this release makes possible: one connection keeps the order.
            Release(state, 1);
            return true;
        }
        return false;
    }

    public override async Task StopAsync()
    {
        List<State> held;
        lock (_sync)
        {
            _stopped = true;
            held = [.. _byName.Values];
            foreach (var state in held)
            {
                state.Timer?.Dispose();
            }
        }
        await _renewal.DisposeAsync().ConfigureAwait(false);
        foreach (var state in held.Where(s => s.Limit.Concurrency is not null))
        {
            try
            {
                // A graceful stop hands its slots back now instead of after LimitLeaseTtl.
                await _db.ScriptEvaluateAsync(DropScript, [state.Held, state.Alive], [_instance]).ConfigureAwait(false);
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                LogLimitRequestFailed(_logger, state.Limit.Name, e.Message);
            }
        }
    }

    /// <summary>Under <see cref="_sync"/>: starts one request for permits unless one is on its way or a retry is armed.</summary>
    private void Ask(string name, State state)
    {
        if (state.Asking || state.Armed || _stopped)
        {
            return;
        }
        state.Asking = true;
        var want = Math.Clamp(_waiting(name), 1, MaxBatch);
        // On the pool, never inline: the caller holds the dispatcher's lock, and the answer calls back into it.
        _ = Task.Run(() => RequestAsync(name, state, want));
    }

    private async Task RequestAsync(string name, State state, int want)
    {
        var limit = state.Limit;
        long granted;
        long waitMs;
        try
        {
            var answer = (RedisResult[])(await _db.ScriptEvaluateAsync(AcquireScript, [state.Held, state.Alive, state.Bucket],
                [_instance, want, limit.Concurrency ?? 0, Number(limit.PerSecond ?? 0), Number(limit.Burst), (long)_ttl.TotalMilliseconds])
                .ConfigureAwait(false))!;
            granted = (long)answer[0];
            waitMs = (long)answer[1];
        }
        catch (Exception e) when (e is RedisException or TimeoutException or InvalidCastException)
        {
            LogLimitRequestFailed(_logger, name, e.Message);
            granted = 0;
            waitMs = (long)ErrorRetry.TotalMilliseconds;
        }
        lock (_sync)
        {
            state.Asking = false;
            state.Free += (int)granted;
            if (granted == 0)
            {
                // Out of tokens: the script says when enough are due. Out of slots: a slot this
                // instance holds comes back through Finished; one another instance holds is noticed
                // by asking again shortly.
                var retry = waitMs >= 0 ? TimeSpan.FromMilliseconds(Math.Max(1, waitMs)) : FullRetry;
                if (waitMs >= 0 || state.Running < (limit.Concurrency ?? int.MaxValue))
                {
                    Arm(name, state, retry);
                }
                return;
            }
        }
        _opened(name);
        int unused;
        lock (_sync)
        {
            // Permits no node could take (credit ran out meanwhile) must not hold slots other instances could use.
            unused = state.Free;
            state.Free = 0;
        }
        if (unused > 0 && limit.Concurrency is not null)
        {
            Release(state, unused);
        }
    }

    private void Arm(string name, State state, TimeSpan due)
    {
        if (_stopped)
        {
            return;
        }
        state.Armed = true;
        state.Timer ??= _time.CreateTimer(_ =>
        {
            lock (_sync)
            {
                state.Armed = false;
            }
            _opened(name);
        }, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        state.Timer.Change(due, Timeout.InfiniteTimeSpan);
    }

    private void Release(State state, int count)
    {
        try
        {
            // Fire and forget: a release Redis missed is corrected by the next renewal or, at worst, the lease's expiry.
            _ = _db.ScriptEvaluateAsync(ReleaseScript, [state.Held, state.Alive], [_instance, count], CommandFlags.FireAndForget);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            // Called under the dispatcher's lock: a refused write must not break the result it came with.
            LogLimitRequestFailed(_logger, state.Limit.Name, e.Message);
        }
    }

    /// <summary>Keeps this instance's leases alive, and re-asserts its count if Redis dropped it (a long pause).</summary>
    private void Renew()
    {
        foreach (var state in _byName.Values.Where(s => s.Limit.Concurrency is not null))
        {
            int held;
            lock (_sync)
            {
                if (_stopped || state.Asking)
                {
                    continue;
                }
                held = state.Running + state.Free;
            }
            if (held > 0)
            {
                try
                {
                    _ = _db.ScriptEvaluateAsync(RenewScript, [state.Held, state.Alive], [_instance, held, (long)_ttl.TotalMilliseconds],
                        CommandFlags.FireAndForget);
                }
                catch (Exception e) when (e is RedisException or TimeoutException)
                {
                    LogLimitRequestFailed(_logger, state.Limit.Name, e.Message);
                }
            }
        }
    }

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    [LoggerMessage(EventId = 420, Level = LogLevel.Warning, Message = "Limit of job '{Name}': Redis request failed ({Reason}); its jobs wait and it is tried again")]
    private static partial void LogLimitRequestFailed(ILogger logger, string name, string reason);

    private sealed class State(JobLimit limit, string held, string alive, string bucket)
    {
        public JobLimit Limit { get; } = limit;

        public RedisKey Held { get; } = held;

        public RedisKey Alive { get; } = alive;

        public RedisKey Bucket { get; } = bucket;

        /// <summary>Permits granted by Redis that no job took yet (each a slot and a token).</summary>
        public int Free { get; set; }

        /// <summary>Jobs of this name on nodes, holding a slot.</summary>
        public int Running { get; set; }

        public bool Asking { get; set; }

        public bool Armed { get; set; }

        public ITimer? Timer { get; set; }
    }
}
