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
    private readonly JobServices _services;
    private readonly ProgressGate _progress;
    private readonly Lock _scopeGate = new();
    private JobScope? _scope;
    private bool _disposed;

    public AttemptRun(NodeJob job, JobArgs args, TimeSpan? timeout, TimeProvider time, TimeSpan progressInterval,
        JobServices services, Action<double, string?> sendProgress)
    {
        _services = services;
        Cancellation = new AttemptCancellation(timeout, time);
        _progress = new ProgressGate(time, progressInterval, sendProgress);
        Context = new JobContext(job.Id, job.Record.Name, job.Record.Attempt, args, Cancellation.Token, Scope);
        Attach(args, this);
    }

    public AttemptCancellation Cancellation { get; }

    public JobContext Context { get; }

    public ProgressGate Progress => _progress;

    public override CancellationToken CancellationToken => Cancellation.Token;

    public override void ReportProgress(double fraction, string? message)
    {
        if (message is { Length: > Protocol.Messages.Progress.MaxMessageLength })
        {
            message = message[..Protocol.Messages.Progress.MaxMessageLength];
        }
        _progress.Report(fraction, message);
    }

    public async ValueTask DisposeAsync()
    {
        _progress.Close();
        Cancellation.Dispose();
        JobScope? scope;
        lock (_scopeGate)
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
        lock (_scopeGate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _scope ??= _services.CreateScope();
        }
    }
}
