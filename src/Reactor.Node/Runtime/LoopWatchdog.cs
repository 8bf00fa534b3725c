namespace Reactor.Node.Runtime;

/// <summary>A loop held by one piece of work past its limit.</summary>
/// <param name="Turn">The loop turn that stalled (for <see cref="ReactorLoop.ReplaceThread"/>).</param>
/// <param name="Step">The job step holding the loop, or null when the work is not job code.</param>
/// <param name="Held">How long the watchdog has seen the loop in that work (a lower bound).</param>
/// <param name="Limit">The step's timeout, or the stall timeout.</param>
internal sealed record LoopStall(long Turn, ILoopStep? Step, TimeSpan Held, TimeSpan Limit);

/// <summary>
/// Watches a reactor loop from a timer: when one piece of work holds the loop longer than its limit
/// (the job step's timeout, capped by the stall timeout), it reports a stall once for that turn.
/// A heartbeat timer cannot see this (it runs on another thread), which is how a blocked node used
/// to look healthy to its distributor.
/// </summary>
internal sealed class LoopWatchdog : IDisposable
{
    private readonly Func<LoopState> _probe;
    private readonly TimeProvider _time;
    private readonly TimeSpan _stallTimeout;
    private readonly Action<LoopStall> _onStall;
    private ITimer? _timer;
    private readonly Lock _gate = new();
    private long _turn = -1;
    private long _since;
    private bool _reported;

    /// <param name="probe">Samples the loop (<see cref="ReactorLoop.State"/>).</param>
    /// <param name="time">The clock; tests pass a <c>FakeTimeProvider</c>.</param>
    /// <param name="stallTimeout">The longest any work may hold the loop.</param>
    /// <param name="onStall">Called on the timer's thread, once per stalled turn.</param>
    /// <param name="start">True to start sampling now; otherwise call <see cref="Start"/> (or drive <see cref="Check"/> by hand in tests).</param>
    public LoopWatchdog(Func<LoopState> probe, TimeProvider time, TimeSpan stallTimeout, Action<LoopStall> onStall, bool start = true)
    {
        _probe = probe;
        _time = time;
        _stallTimeout = stallTimeout;
        _onStall = onStall;
        if (start)
        {
            Start();
        }
    }

    /// <summary>Starts sampling every <see cref="Interval"/>.</summary>
    public void Start() => _timer ??= _time.CreateTimer(static s => ((LoopWatchdog)s!).Check(), this, Interval, Interval);

    /// <summary>How often the loop is sampled: a stall is seen at most this late.</summary>
    public TimeSpan Interval => TimeSpan.FromTicks(Math.Clamp(_stallTimeout.Ticks / 20, TimeSpan.TicksPerMillisecond * 10, TimeSpan.TicksPerMillisecond * 100));

    /// <summary>Samples the loop once; reports a stall when the same work has held it past its limit.</summary>
    public void Check()
    {
        LoopStall? stall;
        lock (_gate)
        {
            stall = Observe(_probe());
        }
        if (stall is not null)
        {
            _onStall(stall);
        }
    }

    public void Dispose() => _timer?.Dispose();

    private LoopStall? Observe(LoopState state)
    {
        var now = _time.GetTimestamp();
        if (!state.Busy || state.Turn != _turn)
        {
            // The loop moved since the last sample: it is alive. Time a new piece of work from now.
            _turn = state.Busy ? state.Turn : -1;
            _since = now;
            _reported = false;
            return null;
        }
        if (_reported)
        {
            return null;
        }
        var held = _time.GetElapsedTime(_since, now);
        var limit = state.Step?.Timeout is { } timeout && timeout < _stallTimeout ? timeout : _stallTimeout;
        if (held < limit)
        {
            return null;
        }
        _reported = true;
        return new LoopStall(state.Turn, state.Step, held, limit);
    }
}
