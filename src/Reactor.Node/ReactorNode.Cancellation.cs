using Microsoft.Extensions.Logging;
using Reactor.Node.Runtime;

namespace Reactor;

// Every attempt has a CancellationToken that fires on its Timeout, on JR.Cancel and when the node shuts
// down after ShutdownGrace. Code that honours it ends the attempt with the documented outcome; code that
// ignores it is left running after CancellationGrace, and the attempt ends without it, with a warning.
public sealed partial class ReactorNode
{
    private AttemptRun NewRun(NodeJob job, JobArgs args, int token)
    {
        return new(job, args, job.Record.Timeout, _time, _options.ProgressInterval, _jobServices,
            _sendProgress ??= (run, fraction, message) =>
                OnProgress(run.Job, run.Token, new Protocol.Messages.Progress(run.Job.Id, run.Attempt, fraction, message)), token);
    }

    /// <summary>One delegate per node: an attempt's progress gate (made on its first report) calls it with the run.</summary>
    private Action<AttemptRun, double, string?>? _sendProgress;

    /// <summary>Waits for the attempt's code, or for its token plus the grace, and says how the attempt ended.</summary>
    private async ValueTask<AttemptEnding> AwaitWorkAsync(NodeJob job, AttemptRun run, Task work, AttemptStep step)
    {
        var cancellation = run.Cancellation;
        var abandoned = false;
        // Code that already finished (most jobs) needs no race against the token: no WhenAny task, and a
        // ValueTask, so an attempt that never waited allocates nothing here.
        if (!work.IsCompleted && await Task.WhenAny(work, cancellation.Requested) != work)
        {
            var grace = Task.Delay(_options.CancellationGrace, _time);
            if (await Task.WhenAny(work, grace) != work)
            {
                abandoned = true;
                step.Orphaned = true;
                LogTokenIgnored(_logger, job.Record.Name, job.Id, job.Record.Attempt, Describe(cancellation.Reason), _options.CancellationGrace);
            }
        }
        Exception? failure = null;
        CancelJob? cancelledByJob = null;
        if (!abandoned)
        {
            try
            {
                await work;
            }
            catch (CancelJob cancel)
            {
                cancelledByJob = cancel;
            }
            catch (Exception e)
            {
                failure = e;
            }
        }
        var stopped = abandoned || failure is not null;
        return cancellation.Reason switch
        {
            // A job that still finished its work after the token fired succeeded; one that stopped timed out.
            CancelReason.Timeout when stopped => new AttemptEnding(TimeoutError(job), null, false, false, abandoned, TimedOut: true),
            CancelReason.App when abandoned || failure is OperationCanceledException => new AttemptEnding(null, null, true, false, abandoned),
            CancelReason.Shutdown when stopped => new AttemptEnding(null, null, false, true, abandoned),
            _ => new AttemptEnding(failure, cancelledByJob, false, false, abandoned),
        };
    }

    private static TimeoutException TimeoutError(NodeJob job) => new($"job '{job.Record.Name}' did not finish within {job.Record.Timeout}");

    private static string Describe(CancelReason reason) => reason switch
    {
        CancelReason.Timeout => "its timeout",
        CancelReason.App => "a cancel from the application",
        CancelReason.Shutdown => "the node shutting down",
        _ => "cancellation",
    };

    /// <summary>On the loop: a running job's token fires at once, then the attempt ends as cancelled.</summary>
    private static void CancelRunning(NodeJob job) => job.Run?.Cancellation.Cancel(CancelReason.App);

    /// <summary>
    /// Shutdown, after <see cref="NodeOptions.ShutdownGrace"/>: fires the token of every running attempt and
    /// waits up to <see cref="NodeOptions.CancellationGrace"/> for them to end. Attempts that honour it end
    /// without an outcome (the distributor runs the job elsewhere); the others are abandoned with a warning.
    /// </summary>
    private async Task CancelRunningAtShutdownAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _running) == 0 || cancellationToken.IsCancellationRequested)
        {
            return;
        }
        var cancelled = await _loop.InvokeAsync(() =>
        {
            var count = 0;
            foreach (var job in _jobs.Values)
            {
                if (job.Running && job.Run is { } run)
                {
                    run.Cancellation.Cancel(CancelReason.Shutdown);
                    count++;
                }
            }
            return count;
        }).WaitAsync(_options.CancellationGrace, _time, CancellationToken.None).ConfigureAwait(false);
        LogShutdownCancelled(_logger, cancelled, _options.ShutdownGrace);
        // A little past the grace: each attempt gives up on ignored tokens at the grace itself.
        var deadline = _time.GetUtcNow() + _options.CancellationGrace + TimeSpan.FromSeconds(1);
        while (Volatile.Read(ref _running) > 0 && _time.GetUtcNow() < deadline && !cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(20, CancellationToken.None).ConfigureAwait(false);
        }
        if (Volatile.Read(ref _running) is var left and > 0)
        {
            LogShutdownAbandoned(_logger, left);
        }
    }

    /// <param name="Failure">Why the attempt failed (a timeout included), or null.</param>
    /// <param name="CancelledBy">What job code threw to cancel the job (<see cref="CancelJob"/>), or null.</param>
    /// <param name="CancelledByApp">The job stopped on its token after a cancel from the app (or ignored it past the grace).</param>
    /// <param name="Interrupted">Stopped by the node's shutdown: no outcome is reported.</param>
    /// <param name="Abandoned">Its code ignored the token and still runs; the attempt ended without it.</param>
    /// <param name="TimedOut">The failure is the attempt's <c>Timeout</c>.</param>
    private readonly record struct AttemptEnding(Exception? Failure, CancelJob? CancelledBy, bool CancelledByApp, bool Interrupted, bool Abandoned, bool TimedOut = false)
    {
        public bool CancelledByJob => CancelledBy is not null;
    }

    [LoggerMessage(EventId = 50, Level = LogLevel.Warning,
        Message = "Job {Name} {JobId} attempt {Attempt} ignored its cancellation token ({Reason}) for {Grace}; abandoned it (its code may still be running)")]
    private static partial void LogTokenIgnored(ILogger logger, string name, string jobId, int attempt, string reason, TimeSpan grace);

    [LoggerMessage(EventId = 51, Level = LogLevel.Warning,
        Message = "Cancelled {Count} jobs still running after the shutdown grace of {Grace}")]
    private static partial void LogShutdownCancelled(ILogger logger, int count, TimeSpan grace);

    [LoggerMessage(EventId = 52, Level = LogLevel.Warning,
        Message = "Stopping with {Count} jobs still running: they ignored their cancellation token; the distributor runs them again elsewhere")]
    private static partial void LogShutdownAbandoned(ILogger logger, int count);
}
