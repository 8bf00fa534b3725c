namespace Reactor.Bench;

/// <summary>
/// The job methods Hangfire runs. Completion is counted by the job method itself, so Hangfire is timed
/// to the moment its worker ran the job, which is earlier than any feedback it could send back.
/// </summary>
public static class HangfireJobs
{
    private static long _finished;
    private static long _target;
    private static long[] _lateness = [];
    private static TaskCompletionSource _done = new();
    private static TaskCompletionSource _signal = new();

    public static long Finished => Interlocked.Read(ref _finished);

    public static long[] Lateness => _lateness;

    /// <summary>Starts counting towards <paramref name="target"/> runs.</summary>
    public static Task Expect(long target, bool recordLateness = false)
    {
        _lateness = recordLateness ? new long[target] : [];
        Interlocked.Exchange(ref _finished, 0);
        Interlocked.Exchange(ref _target, target);
        _done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return _done.Task;
    }

    /// <summary>Arms the signal the next <see cref="Signal"/> job completes.</summary>
    public static Task ExpectSignal()
    {
        _signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return _signal.Task;
    }

    public static void Noop() => Count();

    public static void Signal() => _signal.TrySetResult();

    /// <summary>How long after <paramref name="dueMs"/> (Unix ms) the worker ran it, in microseconds.</summary>
    public static void Late(long dueMs)
    {
        var late = ((DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / 10) - (dueMs * 1000);
        var i = Interlocked.Increment(ref _finished);
        if (i <= _lateness.Length)
        {
            _lateness[i - 1] = late;
        }
        if (i == Interlocked.Read(ref _target))
        {
            _done.TrySetResult();
        }
    }

    private static void Count()
    {
        if (Interlocked.Increment(ref _finished) == Interlocked.Read(ref _target))
        {
            _done.TrySetResult();
        }
    }
}
