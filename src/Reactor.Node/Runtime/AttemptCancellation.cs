namespace Reactor.Node.Runtime;

/// <summary>Why an attempt's cancellation token fired; the first reason wins.</summary>
internal enum CancelReason
{
    None = 0,
    /// <summary>The job's <c>Timeout</c> elapsed.</summary>
    Timeout = 1,
    /// <summary>The app cancelled the job (<c>JR.Cancel</c>).</summary>
    App = 2,
    /// <summary>The node is shutting down and its grace for running jobs is over.</summary>
    Shutdown = 3,
}

/// <summary>
/// The cancellation token of one attempt, and why it fired. Cancelled from the timeout timer, the
/// loop (a Cancel from the distributor) or the stopping node, so the reason is set with a CAS and
/// <see cref="Requested"/> lets the attempt wait for "the job ended or was told to stop".
/// </summary>
internal sealed class AttemptCancellation : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    // Created only when the attempt has to wait for its code (most attempts finish first): no task per attempt.
    private TaskCompletionSource? _requested;
    private readonly ITimer? _timeout;
    private int _reason;

    public AttemptCancellation(TimeSpan? timeout, TimeProvider time)
    {
        if (timeout is { } after)
        {
            _timeout = time.CreateTimer(static state => ((AttemptCancellation)state!).Cancel(CancelReason.Timeout), this, after, Timeout.InfiniteTimeSpan);
        }
    }

    public CancellationToken Token => _source.Token;

    public CancelReason Reason => (CancelReason)Volatile.Read(ref _reason);

    /// <summary>Completes when the token is cancelled, for whatever reason.</summary>
    public Task Requested
    {
        get
        {
            var requested = Volatile.Read(ref _requested);
            if (requested is null)
            {
                var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                requested = Interlocked.CompareExchange(ref _requested, created, null) ?? created;
                // Cancel may have run before the source existed: it sets the reason first, so this sees it.
                if (Reason != CancelReason.None)
                {
                    requested.TrySetResult();
                }
            }
            return requested.Task;
        }
    }

    public void Cancel(CancelReason reason)
    {
        if (Interlocked.CompareExchange(ref _reason, (int)reason, (int)CancelReason.None) != (int)CancelReason.None)
        {
            return;
        }
        try
        {
            _source.Cancel();
        }
        catch (AggregateException)
        {
            // A registration in job code threw; the job sees the token cancelled all the same.
        }
        catch (ObjectDisposedException)
        {
            // The attempt has ended and released its token; there is nothing left to cancel.
        }
        Volatile.Read(ref _requested)?.TrySetResult();
    }

    public void Dispose()
    {
        _timeout?.Dispose();
        // Not _source.Dispose(): abandoned job code may still hold the token, and a disposed source
        // would make its registrations throw. It has no timer of its own, so nothing leaks.
    }
}
