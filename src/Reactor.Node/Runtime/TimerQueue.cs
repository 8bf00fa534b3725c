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
    private static readonly TimeSpan MaxTimerDelay = TimeSpan.FromDays(1);
    private long _armedFor = long.MaxValue;

    public TimerQueue(TimeProvider time, ReactorLoop loop, Action<T> due)
    {
        _time = time;
        _loop = loop;
        _due = due;
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

    private void OnTimer() => _loop.Post(Drain);

    private void Drain()
    {
        _armedFor = long.MaxValue;
        var now = _time.GetUtcNow().UtcTicks;
        while (_heap.TryPeek(out var item, out var due) && due <= now)
        {
            _heap.Dequeue();
            _due(item);
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
