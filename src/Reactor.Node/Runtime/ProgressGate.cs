namespace Reactor.Node.Runtime;

/// <summary>
/// Bounds one attempt's progress reports to one per <c>interval</c>: the first goes out at once, later
/// ones within the interval replace each other and the latest goes out when it ends, and
/// <see cref="Close"/> sends the one still waiting, so the last report before the job ends is never
/// lost. A job reporting in a tight loop costs a lock and a field write per report, nothing more.
/// </summary>
internal sealed class ProgressGate(TimeProvider time, TimeSpan interval, Action<double, string?> send) : IDisposable
{
    private readonly Lock _gate = new();
    private long _lastSent;
    private bool _sentAny;
    private bool _hasPending;
    private double _pendingFraction;
    private string? _pendingMessage;
    private ITimer? _timer;
    private bool _closed;

    /// <summary>Reports sent so far (tests and the rate limit's log line).</summary>
    public int Sent { get; private set; }

    /// <summary>Reports that a later one replaced before they were sent.</summary>
    public int Coalesced { get; private set; }

    public void Report(double fraction, string? message)
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }
            var elapsed = _sentAny ? time.GetElapsedTime(_lastSent) : interval;
            if (elapsed >= interval && _timer is null)
            {
                SendLocked(fraction, message);
                return;
            }
            if (_hasPending)
            {
                Coalesced++;
            }
            _hasPending = true;
            _pendingFraction = fraction;
            _pendingMessage = message;
            _timer ??= time.CreateTimer(static state => ((ProgressGate)state!).Fire(), this, interval - elapsed, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Sends what waits and stops: reports after this are dropped (the attempt has ended).</summary>
    public void Close()
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }
            _closed = true;
            _timer?.Dispose();
            _timer = null;
            if (_hasPending)
            {
                _hasPending = false;
                SendLocked(_pendingFraction, _pendingMessage);
            }
        }
    }

    public void Dispose() => Close();

    private void Fire()
    {
        lock (_gate)
        {
            _timer?.Dispose();
            _timer = null;
            if (_closed || !_hasPending)
            {
                return;
            }
            _hasPending = false;
            SendLocked(_pendingFraction, _pendingMessage);
        }
    }

    // Under the lock, so two reports racing from different threads leave in the order they were taken.
    private void SendLocked(double fraction, string? message)
    {
        _lastSent = time.GetTimestamp();
        _sentAny = true;
        Sent++;
        send(fraction, message);
    }
}
