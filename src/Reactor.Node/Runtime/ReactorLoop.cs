using System.Collections.Concurrent;

namespace Reactor.Node.Runtime;

/// <summary>
/// The node's reactor: one dedicated thread that runs every job step, timer callback and state
/// change in order, like EventMachine's loop. Because all job code runs here, it needs no locks;
/// async job code resumes here after its awaits because this is its SynchronizationContext.
/// </summary>
/// <remarks>
/// Job code that blocks the thread stalls the loop. The loop therefore exposes what a watchdog needs
/// to see a stall (<see cref="State"/>: a turn counter and the step running now) and can move itself
/// to a fresh thread (<see cref="ReplaceThread"/>), abandoning the blocked one: only one thread at a
/// time is the loop, and an abandoned thread that ever returns exits without touching the queue.
/// </remarks>
internal sealed partial class ReactorLoop : SynchronizationContext, IDisposable
{
    private readonly ConcurrentQueue<(SendOrPostCallback Callback, object? State)> _queue = new();
    // Barely spins before blocking: on a 2-core box a spinning loop thread steals the CPU the
    // network threads need to bring it work (measured: thousands of sched_yield calls per second).
    private readonly ManualResetEventSlim _signal = new(false, spinCount: 1);
    private readonly Action<Exception> _onUnhandled;
    private readonly string _name;
    private readonly AsyncLocal<ILoopStep?> _step;
    private volatile Thread _thread;
    private int _generation;
    private int _sleeping;
    private volatile bool _stopping;

    public ReactorLoop(string name, Action<Exception> onUnhandled)
    {
        _onUnhandled = onUnhandled;
        _name = name;
        _step = new AsyncLocal<ILoopStep?>(OnStepChanged);
        _thread = NewThread(0);
    }

    /// <summary>Runs after each batch of work when the queue is empty; used to flush batched credits.</summary>
    public Action? Idle { get; set; }

    /// <summary>The thread that is the loop now (it changes when a blocked thread is abandoned).</summary>
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

    private Thread NewThread(int generation) =>
        new(() => Run(generation)) { IsBackground = true, Name = _name };

    private bool IsCurrent(int generation) => Volatile.Read(ref _generation) == generation;

    private void Run(int generation)
    {
        SetSynchronizationContext(this);
        while (!_stopping && IsCurrent(generation))
        {
            while (IsCurrent(generation) && _queue.TryDequeue(out var work))
            {
                Turn(busy: true);
                Execute(work.Callback, work.State);
                if (!IsCurrent(generation))
                {
                    // This thread was abandoned while it was blocked in that work; the loop lives on
                    // another thread now, so this one leaves without touching anything.
                    return;
                }
            }
            Turn(busy: false);
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
