namespace Reactor.Distributor;

/// <summary>
/// Limits counted by this distributor alone: per name, the jobs on nodes and a token bucket refilled
/// from the injected <see cref="TimeProvider"/>. A name short of tokens arms one timer for the moment
/// its next token is due (no polling); a name at its concurrency reopens when one of its jobs finishes.
/// Guarded by the dispatcher's lock, except the timer callback, which only calls <c>opened</c>.
/// </summary>
internal sealed class LocalNameLimits : NameLimits
{
    private const double Rounding = 1e-9;

    private readonly Dictionary<string, State> _byName = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly Action<string> _opened;
    private bool _stopped;

    public LocalNameLimits(IEnumerable<JobLimit> limits, TimeProvider time, Action<string> opened)
    {
        _time = time;
        _opened = opened;
        var now = time.GetTimestamp();
        foreach (var limit in limits)
        {
            _byName[limit.Name] = new State(limit, now);
        }
    }

    public override bool Any => _byName.Count > 0;

    public override JobLimit? Of(string name) => _byName.GetValueOrDefault(name)?.Limit;

    public override bool IsOpen(string name) => !_byName.TryGetValue(name, out var state) || Open(name, state);

    public override bool TryStart(JobEnvelope job)
    {
        if (!_byName.TryGetValue(job.Name, out var state))
        {
            return true;
        }
        if (!Open(job.Name, state))
        {
            return false;
        }
        if (state.Limit.PerSecond is not null)
        {
            state.Tokens = Math.Max(0, state.Tokens - 1);
        }
        state.Running++;
        job.HoldsLimit = true;
        return true;
    }

    public override bool Finished(JobEnvelope job)
    {
        if (!job.HoldsLimit || !_byName.TryGetValue(job.Name, out var state))
        {
            return false;
        }
        job.HoldsLimit = false;
        state.Running--;
        return state.Limit.Concurrency is { } limit && state.Running == limit - 1;
    }

    public override Task StopAsync()
    {
        _stopped = true;
        foreach (var state in _byName.Values)
        {
            state.Timer?.Dispose();
        }
        return Task.CompletedTask;
    }

    private bool Open(string name, State state)
    {
        if (state.Limit.Concurrency is { } limit && state.Running >= limit)
        {
            // Reopened by Finished, not by a timer.
            return false;
        }
        if (state.Limit.PerSecond is not { } rate)
        {
            return true;
        }
        var now = _time.GetTimestamp();
        state.Tokens = Math.Min(state.Limit.Burst, state.Tokens + (_time.GetElapsedTime(state.RefilledAt, now).TotalSeconds * rate));
        state.RefilledAt = now;
        // Within rounding of a whole token counts as one: a timer due exactly then must find it there.
        if (state.Tokens >= 1 - Rounding)
        {
            return true;
        }
        if (!state.Armed && !_stopped)
        {
            // One timer per name, armed only while a job of the name waits for a token: it fires when
            // the next token is due, and the dispatcher offers the name's jobs again.
            state.Armed = true;
            var due = TimeSpan.FromSeconds((1 - state.Tokens) / rate);
            state.Timer ??= _time.CreateTimer(_ => Wake(name, state), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            state.Timer.Change(due < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : due, Timeout.InfiniteTimeSpan);
        }
        return false;
    }

    private void Wake(string name, State state)
    {
        // Read and written under the dispatcher's lock everywhere else; here a stale read only means
        // one more (harmless) look at the name.
        state.Armed = false;
        _opened(name);
    }

    private sealed class State(JobLimit limit, long now)
    {
        public JobLimit Limit { get; } = limit;

        public int Running { get; set; }

        public double Tokens { get; set; } = limit.Burst;

        public long RefilledAt { get; set; } = now;

        public bool Armed { get; set; }

        public ITimer? Timer { get; set; }
    }
}
