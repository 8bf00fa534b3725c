namespace Reactor.Node.Runtime;

/// <summary>
/// Every deferred, periodic and retrying job of a node waits here: a priority queue ordered by due
/// time with exactly one <see cref="ITimer"/> armed for the earliest entry, so a million pending jobs
/// cost a heap entry each and no timer or task each. Touched only on the reactor loop.
/// </summary>
internal sealed class TimerQueue<T> : IDisposable
    where T : class
{
    private readonly PriorityQueue<T, long> _heap = new();
    private readonly TimeProvider _time;
    private readonly ReactorLoop _loop;
    private readonly Action<T> _due;
    private readonly ITimer _timer;
    private readonly Action _drain;
    private static readonly TimeSpan MaxTimerDelay = TimeSpan.FromDays(1);

    /// <summary>
    /// Most entries one drain hands out before it yields the loop to other work (results, arrivals,
    /// the attempts it just started) and continues in a later turn.
    /// </summary>
    internal const int MaxPerTurn = 512;

    /// <summary>Due time the timer is armed for; <see cref="DrainPosted"/> while a drain waits on the loop.</summary>
    private long _armedFor = long.MaxValue;

    /// <summary>A drain is queued on the loop: nothing to arm, it will look at the clock itself.</summary>
    private const long DrainPosted = long.MinValue;

    public TimerQueue(TimeProvider time, ReactorLoop loop, Action<T> due)
    {
        _time = time;
        _loop = loop;
        _due = due;
        _drain = Drain;
        _timer = time.CreateTimer(static s => ((TimerQueue<T>)s!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public int Count => _heap.Count;

    /// <summary>Queues <paramref name="item"/> to be handed to the due callback at <paramref name="dueAt"/>.</summary>
    public void Schedule(T item, DateTimeOffset dueAt)
    {
        var ticks = dueAt.UtcTicks;
        _heap.Enqueue(item, ticks);
        if (ticks < _armedFor)
        {
            Arm(ticks);
        }
    }

    public void Dispose() => _timer.Dispose();

    private void OnTimer() => _loop.Post(_drain);

    private void Drain()
    {
        _armedFor = long.MaxValue;
        var now = _time.GetUtcNow().UtcTicks;
        var handed = 0;
        while (_heap.TryPeek(out var item, out var due))
        {
            if (due > now)
            {
                // Entries keep falling due while a busy drain runs (100k a second in the bench): a second
                // look at the clock takes them now instead of after a timer round trip through the pool.
                now = _time.GetUtcNow().UtcTicks;
                if (due > now)
                {
                    break;
                }
            }
            if (handed == MaxPerTurn)
            {
                _armedFor = DrainPosted;
                _loop.Post(_drain);
                return;
            }
            _heap.Dequeue();
            _due(item);
            handed++;
        }
        if (_heap.TryPeek(out _, out var next))
        {
            Arm(next);
        }
    }

    private void Arm(long dueTicks)
    {
        _armedFor = dueTicks;
        var delay = TimeSpan.FromTicks(Math.Max(0, dueTicks - _time.GetUtcNow().UtcTicks));
        // Timers cannot wait longer than about 49 days; a job due later wakes the queue once a day
        // until it is close, which costs nothing and keeps far-future jobs (After > 1 year) valid.
        _timer.Change(delay < MaxTimerDelay ? delay : MaxTimerDelay, Timeout.InfiniteTimeSpan);
    }
}
