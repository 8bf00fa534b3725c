namespace Reactor.Distributor.Batching;

/// <summary>
/// One <c>EnqueueMany</c> call's jobs: how many were queued, how many settled and how, and the window that
/// makes the enqueuer wait. Each job reports once (its feedback entry's <c>Settled</c> hook runs on the
/// first final result only, however many nodes ran it). Once the input has ended (<see cref="Seal"/>) and
/// every queued job settled, <paramref name="complete"/> runs exactly once, on the thread of the last settle,
/// after the last job's own feedback was queued (the distributor posts the batch feedback from there, or
/// first claims it in Redis).
/// </summary>
internal sealed class BatchTracker(Action<BatchResult> complete)
{
    // Monitor, not Lock: the enqueuer waits on it for room (Monitor.Wait), woken by settling jobs.
    private readonly object _sync = new();
    private int _queued;
    private int _settled;
    private int _succeeded;
    private int _failed;
    private int _cancelled;
    private bool _sealed;
    private bool _completed;
    private bool _waiting;

    /// <summary>Jobs queued and not settled yet.</summary>
    public int Unsettled
    {
        get
        {
            lock (_sync)
            {
                return _queued - _settled;
            }
        }
    }

    /// <summary>
    /// A batch recovered after a restart: <paramref name="total"/> jobs, of which Redis already counted the
    /// outcomes given; the rest settle here. Sealed: no job joins it any more.
    /// </summary>
    public void Restore(int total, int succeeded, int failed, int cancelled)
    {
        lock (_sync)
        {
            _queued = total;
            _succeeded = succeeded;
            _failed = failed;
            _cancelled = cancelled;
            _settled = succeeded + failed + cancelled;
        }
        Seal();
    }

    /// <summary><paramref name="count"/> more jobs were queued (before any of them can be dispatched).</summary>
    public void Add(int count)
    {
        lock (_sync)
        {
            _queued += count;
        }
    }

    /// <summary>A job's final result was recorded: its feedback entry's <c>Settled</c> hook.</summary>
    public void Settled(JobResult result)
    {
        bool complete;
        lock (_sync)
        {
            _ = result.Outcome switch
            {
                JobOutcome.Succeeded => _succeeded++,
                JobOutcome.Cancelled => _cancelled++,
                _ => _failed++,
            };
            _settled++;
            if (_waiting)
            {
                Monitor.PulseAll(_sync);
            }
            complete = TryComplete();
        }
        if (complete)
        {
            Post();
        }
    }

    /// <summary>The input ended (or the call gave up): no job joins the batch any more. At once for an empty batch.</summary>
    public void Seal()
    {
        bool complete;
        lock (_sync)
        {
            _sealed = true;
            complete = TryComplete();
        }
        if (complete)
        {
            Post();
        }
    }

    /// <summary>
    /// Blocks until <paramref name="incoming"/> more jobs fit in <paramref name="window"/> (jobs queued and not
    /// settled), or none of the batch is unsettled (a chunk larger than the window still goes, alone). Throws
    /// <see cref="OperationCanceledException"/> when <paramref name="stopping"/> is cancelled: jobs do not
    /// settle once the distributor stops.
    /// </summary>
    public void WaitForRoom(int incoming, int window, CancellationToken stopping)
    {
        lock (_sync)
        {
            try
            {
                while (_queued - _settled > 0 && _queued - _settled + incoming > window)
                {
                    stopping.ThrowIfCancellationRequested();
                    _waiting = true;
                    // Woken by every settle while waiting; the timeout only bounds how late a stop is noticed.
                    Monitor.Wait(_sync, TimeSpan.FromMilliseconds(250));
                }
            }
            finally
            {
                _waiting = false;
            }
        }
    }

    private bool TryComplete()
    {
        if (_completed || !_sealed || _settled != _queued)
        {
            return false;
        }
        _completed = true;
        return true;
    }

    private void Post()
    {
        BatchResult result;
        lock (_sync)
        {
            result = new BatchResult(_queued, _succeeded, _failed, _cancelled);
        }
        complete(result);
    }
}
