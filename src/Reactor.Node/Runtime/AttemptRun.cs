using Reactor.Node.Jobs;
using Reactor.Protocol.Jobs;

namespace Reactor.Node.Runtime;

/// <summary>
/// One attempt as its code sees it: the cancellation token, the progress gate and the DI scope that
/// class jobs, callbacks and errbacks of this attempt share. Attached to the attempt's args so
/// <c>args.ReportProgress</c> and <c>args.CancellationToken()</c> find it.
/// </summary>
internal sealed class AttemptRun : AttemptContext, IAsyncDisposable
{
    /// <summary>Stands for "the attempt ended" in <see cref="_progress"/>: reports after it are dropped.</summary>
    private static readonly ProgressGate Closed = CreateClosed();

    private readonly JobServices _services;
    private readonly TimeProvider _time;
    private readonly TimeSpan _progressInterval;
    private readonly Action<AttemptRun, double, string?> _sendProgress;
    // Made on the first report: most jobs never report progress, and a gate costs a lock, a delegate and state.
    private ProgressGate? _progress;
    private JobScope? _scope;
    private bool _disposed;

    public AttemptRun(NodeJob job, JobArgs args, TimeSpan? timeout, TimeProvider time, TimeSpan progressInterval,
        JobServices services, Action<AttemptRun, double, string?> sendProgress, int token)
    {
        _services = services;
        _time = time;
        _progressInterval = progressInterval;
        _sendProgress = sendProgress;
        Job = job;
        Token = token;
        Attempt = job.Record.Attempt;
        Cancellation = new AttemptCancellation(timeout, time);
        Context = new JobContext(job.Id, job.Record.Name, job.Record.Attempt, args, Cancellation.Token, Scope);
        Attach(args, this);
    }

    /// <summary>The job this attempt belongs to.</summary>
    public NodeJob Job { get; }

    /// <summary>The job's attempt token when this attempt started (a newer one means this attempt is stale).</summary>
    public int Token { get; }

    /// <summary>The attempt's number, from 1.</summary>
    public int Attempt { get; }

    public AttemptCancellation Cancellation { get; }

    public JobContext Context { get; }

    /// <summary>The attempt's progress gate; null until its code first reported progress.</summary>
    public ProgressGate? Progress
    {
        get
        {
            var gate = Volatile.Read(ref _progress);
            return gate == Closed ? null : gate;
        }
    }

    public override CancellationToken CancellationToken => Cancellation.Token;

    public override void ReportProgress(double fraction, string? message)
    {
        if (message is { Length: > Protocol.Messages.Progress.MaxMessageLength })
        {
            message = message[..Protocol.Messages.Progress.MaxMessageLength];
        }
        var gate = Volatile.Read(ref _progress);
        if (gate is null)
        {
            var created = new ProgressGate(_time, _progressInterval, (f, m) => _sendProgress(this, f, m));
            gate = Interlocked.CompareExchange(ref _progress, created, null) ?? created;
        }
        // The closed stand-in drops the report; a gate closed meanwhile drops it too.
        gate.Report(fraction, message);
    }

    /// <summary>Sends the report still waiting in the gate (before the result) and drops any later one.</summary>
    public void CloseProgress() => Interlocked.Exchange(ref _progress, Closed)?.Close();

    public async ValueTask DisposeAsync()
    {
        CloseProgress();
        Cancellation.Dispose();
        JobScope? scope;
        // The cancellation object is this run's own and never handed out, so it serves as the lock
        // (one object fewer per attempt than a Lock of its own).
        lock (Cancellation)
        {
            _disposed = true;
            scope = _scope;
            _scope = null;
        }
        if (scope is not null)
        {
            await scope.DisposeAsync().ConfigureAwait(false);
        }
    }

    // Created on first use: a lambda job that never asks for services costs no scope.
    private IServiceProvider Scope()
    {
        lock (Cancellation)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _scope ??= _services.CreateScope();
        }
    }

    private static ProgressGate CreateClosed()
    {
        var gate = new ProgressGate(TimeProvider.System, TimeSpan.Zero, static (_, _) => { });
        gate.Close();
        return gate;
    }
}
