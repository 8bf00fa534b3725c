using System.Collections.Concurrent;

namespace Reactor.Node.Runtime;

/// <summary>
/// The node's reactor: one dedicated thread that runs every job step, timer callback and state
/// change in order, like EventMachine's loop. Because all job code runs here, it needs no locks;
/// async job code resumes here after its awaits because this is its SynchronizationContext.
/// </summary>
internal sealed class ReactorLoop : SynchronizationContext, IDisposable
{
    private readonly ConcurrentQueue<(SendOrPostCallback Callback, object? State)> _queue = new();
    // Barely spins before blocking: on a 2-core box a spinning loop thread steals the CPU the
    // network threads need to bring it work (measured: thousands of sched_yield calls per second).
    private readonly ManualResetEventSlim _signal = new(false, spinCount: 1);
    private readonly Thread _thread;
    private readonly Action<Exception> _onUnhandled;
    private int _sleeping;
    private volatile bool _stopping;

    public ReactorLoop(string name, Action<Exception> onUnhandled)
    {
        _onUnhandled = onUnhandled;
        _thread = new Thread(Run) { IsBackground = true, Name = name };
    }

    /// <summary>Runs after each batch of work when the queue is empty; used to flush batched credits.</summary>
    public Action? Idle { get; set; }

    public int ManagedThreadId => _thread.ManagedThreadId;

    public bool IsOnLoop => Environment.CurrentManagedThreadId == _thread.ManagedThreadId;

    public void Start() => _thread.Start();

    public void Post(Action action) => Post(static s => ((Action)s!)(), action);

    public override void Post(SendOrPostCallback d, object? state)
    {
        _queue.Enqueue((d, state));
        // Only wake the thread when it is (about to be) asleep: a busy loop drains the queue anyway,
        // so a burst of posts costs one semaphore release, not one per post.
        if (Interlocked.Exchange(ref _sleeping, 0) == 1)
        {
            _signal.Set();
        }
    }

    public override void Send(SendOrPostCallback d, object? state)
    {
        if (IsOnLoop)
        {
            d(state);
            return;
        }
        using var done = new ManualResetEventSlim();
        Exception? error = null;
        Post(_ =>
        {
            try
            {
                d(state);
            }
            catch (Exception e)
            {
                error = e;
            }
            finally
            {
                done.Set();
            }
        }, null);
        done.Wait();
        if (error is not null)
        {
            throw new InvalidOperationException("reactor loop work failed", error);
        }
    }

    public override SynchronizationContext CreateCopy() => this;

    /// <summary>Runs <paramref name="func"/> on the loop and returns its result to the caller's thread.</summary>
    public Task<T> InvokeAsync<T>(Func<T> func)
    {
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(() =>
        {
            try
            {
                completion.SetResult(func());
            }
            catch (Exception e)
            {
                completion.SetException(e);
            }
        });
        return completion.Task;
    }

    public void Stop()
    {
        _stopping = true;
        _signal.Set();
    }

    public void Dispose()
    {
        Stop();
        if (_thread.IsAlive && !IsOnLoop)
        {
            _thread.Join(TimeSpan.FromSeconds(5));
        }
        _signal.Dispose();
    }

    private void Run()
    {
        SetSynchronizationContext(this);
        while (!_stopping)
        {
            while (_queue.TryDequeue(out var work))
            {
                Execute(work.Callback, work.State);
            }
            SafeIdle();
            _signal.Reset();
            Volatile.Write(ref _sleeping, 1);
            // Re-check after announcing sleep: a post that raced with the flag write must not be stranded.
            if (!_queue.IsEmpty)
            {
                Interlocked.Exchange(ref _sleeping, 0);
                continue;
            }
            _signal.Wait();
        }
    }

    private void Execute(SendOrPostCallback callback, object? state)
    {
        try
        {
            callback(state);
        }
        catch (Exception e)
        {
            // One failing piece of work must never stop the loop (JobReactor's reactor died with it).
            _onUnhandled(e);
        }
    }

    private void SafeIdle()
    {
        try
        {
            Idle?.Invoke();
        }
        catch (Exception e)
        {
            _onUnhandled(e);
        }
    }
}
