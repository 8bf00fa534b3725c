namespace Reactor.Node.Runtime;

/// <summary>What the loop is running, as a watchdog samples it from another thread.</summary>
/// <param name="Busy">True while a piece of work runs; false while the loop waits for work.</param>
/// <param name="Turn">Changes every time the loop starts a piece of work or goes idle.</param>
/// <param name="Step">The job step whose code runs now, if the running work is job code.</param>
internal readonly record struct LoopState(bool Busy, long Turn, ILoopStep? Step);

/// <summary>Job code running on the loop, as the watchdog sees it.</summary>
internal interface ILoopStep
{
    /// <summary>How long this step may hold the loop; null = the node's <c>LoopStallTimeout</c>.</summary>
    TimeSpan? Timeout { get; }
}

// How a watchdog sees the loop, and how the loop escapes a blocked thread.
internal sealed partial class ReactorLoop
{
    private readonly Lock _replaceGate = new();
    private long _turn;
    private volatile bool _busy;
    private ILoopStep? _currentStep;

    /// <summary>A snapshot for the watchdog; fields are read one by one, so a stall is only trusted once the turn stays put.</summary>
    public LoopState State => new(_busy, Volatile.Read(ref _turn), Volatile.Read(ref _currentStep));

    /// <summary>
    /// Marks the code that runs from here on (in this async flow) as <paramref name="step"/>: its
    /// continuations carry the mark, so whenever the loop runs them the watchdog knows whose code it is.
    /// </summary>
    public void EnterStep(ILoopStep step) => _step.Value = step;

    /// <summary>
    /// Makes a fresh thread the loop and abandons the current one, which is blocked in some work and
    /// may never return. Queued work runs on the new thread at once. Only when the loop is still in
    /// <paramref name="stalledTurn"/> (it did not move on meanwhile); returns the abandoned thread's id, or null.
    /// </summary>
    public int? ReplaceThread(long stalledTurn)
    {
        // The turn check is best effort: the watchdog only asks after seeing the same turn for the
        // whole limit, so a loop that moves on in the instant before this check is vanishingly rare,
        // and even then the old thread leaves at its next generation check.
        lock (_replaceGate)
        {
            if (_stopping || Volatile.Read(ref _turn) != stalledTurn || !_busy)
            {
                return null;
            }
            var abandoned = _thread;
            var generation = Interlocked.Increment(ref _generation);
            var fresh = NewThread(generation);
            _thread = fresh;
            Volatile.Write(ref _currentStep, null);
            _busy = false;
            Interlocked.Increment(ref _turn);
            fresh.Start();
            return abandoned.ManagedThreadId;
        }
    }

    private void Turn(bool busy)
    {
        _busy = busy;
        Interlocked.Increment(ref _turn);
    }

    // Runs on whichever thread the async flow's context changes on; only the loop thread's view counts
    // (a deferred job body on the thread pool carries the same mark).
    private void OnStepChanged(AsyncLocalValueChangedArgs<ILoopStep?> change)
    {
        if (IsOnLoop)
        {
            Volatile.Write(ref _currentStep, change.CurrentValue);
        }
    }
}
