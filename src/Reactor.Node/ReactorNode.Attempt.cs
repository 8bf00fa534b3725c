using Microsoft.Extensions.Logging;
using Reactor.Node.Jobs;
using Reactor.Node.Runtime;
using Reactor.Protocol.Flows;
using Reactor.Storage;

namespace Reactor;

// One attempt of a job: the job, then its callbacks, on one args map; errbacks on failure.
public sealed partial class ReactorNode
{
    private void StartAttempt(NodeJob job)
    {
        if (job.CancelRequested)
        {
            Finish(job, JobOutcomeReason.CancelledByApplication, job.NewArgs(), CancelledByApp);
            return;
        }
        job.Record.Attempt++;
        job.Record.Status = JobStatus.InProgress;
        ResetPublished(job);
        job.Running = true;
        job.AttemptStarted = _time.GetTimestamp();
        Interlocked.Increment(ref _running);
        var token = ++job.AttemptToken;
        var args = job.NewArgs();
        _catalog.TryGet(job.Record.Name, out var definition);
        var step = new AttemptStep(this, job, token, job.Record.Timeout, definition!, args, _options.Service);
        // Each attempt gets a fresh publish context (the step), so its publish indices start at zero again.
        FlowContext.Attach(args, step);
        if (_options.MergeJobItselfToArgs)
        {
            args["job_itself"] = JobReflection.Describe(job, Name);
        }
        job.Record.Progress = null;
        job.Record.ProgressMessage = null;
        step.Run = job.Run = NewRun(job, args, token);
        Persist(job);
        // Job code starts as a piece of loop work of its own: if it blocks and the watchdog abandons the
        // thread, whatever started the attempt (a timer drain with more jobs due) is not left half done.
        // The step is the work item, so a job whose code finishes without waiting costs no async state.
        _loop.Post(_runAttempt ??= state => _ = RunAttemptAsync((AttemptStep)state!), step);
    }

    /// <summary>Starts the attempt its state names; one delegate per node, so posting an attempt allocates only its step.</summary>
    private SendOrPostCallback? _runAttempt;

    private async Task RunAttemptAsync(AttemptStep step)
    {
        var (job, definition, run, token) = (step.Job, step.Definition, step.Run!, step.Token);
        // The mark lets the watchdog tell whose code holds the loop, in this step and after every await.
        _loop.EnterStep(step);
        // Started inside the attempt's own async flow, so it is Activity.Current for this attempt's code only;
        // null (and nothing allocated) when nobody listens.
        var span = job.Span = AttemptTracing.StartAttempt(job, Name, out var badContext);
        // Begun inside the attempt's own async flow, like the span: the scope reaches the job code, its
        // callbacks and the job-finished line, and never the caller. Only when something may be logged, so
        // a node that logs nothing allocates nothing for it.
        var scope = _options.LogJobProcessing || _logger.IsEnabled(LogLevel.Information)
            ? _logger.BeginScope(new AttemptLogScope(job.Id, job.Record.Name, span))
            : null;
        if (_options.LogJobProcessing)
        {
            LogJobStarted(_logger, job.Record.Name, job.Id, job.Record.Attempt);
        }
        if (badContext)
        {
            LogTraceContextIgnored(_logger, job.Record.Name, job.Id);
        }
        Task? orphan = null;
        try
        {
            var started = _metrics.AttemptStarted();
            var work = RunStepsAsync(job, definition, run, step);
            var ending = await AwaitWorkAsync(job, run, work, step);
            if (ending.Abandoned)
            {
                orphan = work;
            }
            if (!step.TryFinish())
            {
                // The watchdog already failed this attempt because it blocked the loop (see
                // OnLoopStall); this may be the abandoned thread coming back, so touch nothing.
                return;
            }
            job.Running = false;
            Interlocked.Decrement(ref _running);
            // Progress still waiting in the gate goes out before the result, on the same connection.
            run.CloseProgress();
            _metrics.AttemptEnded(job.Record.Name, started,
                ending.CancelledByJob || ending.CancelledByApp ? JobOutcome.Cancelled
                : ending.Failure is null ? JobOutcome.Succeeded : JobOutcome.Failed);
            if (token != job.AttemptToken || job.Ended)
            {
                return;
            }
            if (ending.Interrupted)
            {
                // Stopped by the node's shutdown: no outcome. The distributor sends the job to another
                // node when this one leaves, as for a node stopped mid-job; the stored record stays.
                AttemptTracing.Ended(span, "interrupted");
                return;
            }
            if (IsVoid(job))
            {
                AttemptTracing.Ended(span, "void");
                RunAgainOrLeave(job);
                return;
            }
            if (ending.CancelledBy is { } cancel)
            {
                // CancelJob from job code ends the job for good: cancelled, with the job's own words as the reason.
                Finish(job, JobOutcomeReason.CancelledByJob, run.Context.Args, CancelledByJobText + cancel.Message);
            }
            else if (ending.CancelledByApp)
            {
                // The job stopped on its token after JR.Cancel: cancelled, and not a failure (no errbacks).
                Finish(job, JobOutcomeReason.CancelledByApplication, run.Context.Args, CancelledByApp);
            }
            else if (ending.Failure is null)
            {
                OnSucceeded(job, run.Context.Args);
            }
            else
            {
                AttemptTracing.Failed(span, ending.Failure);
                await OnFailedAsync(job, definition, run, ending.Failure, ending.TimedOut ? JobOutcomeReason.TimedOut : JobOutcomeReason.Threw);
            }
        }
        finally
        {
            scope?.Dispose();
            span?.Dispose();
            if (job.Span == span)
            {
                // Not when a void attempt already started the next one, whose span this is.
                job.Span = null;
            }
            if (job.Run == run)
            {
                job.Run = null;
            }
            // Scoped services outlive abandoned job code no longer than that code runs.
            _ = orphan is null ? run.DisposeAsync().AsTask() : orphan.ContinueWith(_ => run.DisposeAsync().AsTask(),
                CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
        }
    }

    /// <summary>
    /// The attempt published on a connection that is gone, so its outcome is void. If the distributor
    /// re-sent the job here (adopted on a live connection), that copy runs now, as a fresh attempt that
    /// publishes everything again (the claims drop what already arrived); otherwise another node has it.
    /// </summary>
    private void RunAgainOrLeave(NodeJob job)
    {
        LogAttemptVoid(_logger, job.Record.Name, job.Id, job.Record.Attempt);
        if (IsStale(job))
        {
            End(job, keepRecord: false, touchStore: _store is { IsDurable: false });
            return;
        }
        job.Record.Attempt--; // the void attempt is not one of the job's tries
        StartAttempt(job);
    }

    private async Task RunStepsAsync(NodeJob job, JobDefinition definition, AttemptRun run, AttemptStep step)
    {
        if (job.Record.Defer)
        {
            await RunDeferredAsync(definition.Body!, run.Context);
        }
        else
        {
            await definition.Body!.Run(run.Context);
        }
        foreach (var callback in definition.Callbacks)
        {
            if (step.Abandoned || step.Orphaned)
            {
                // Blocked past its timeout, or ignored its cancellation: already ended, so its callbacks must not run late.
                return;
            }
            using var span = AttemptTracing.StartStep(job.Span, "callback", callback.Name);
            await callback.Run(run.Context);
        }
    }

    /// <summary>
    /// Runs the job body on the thread pool (bounded by <see cref="NodeOptions.MaxDeferred"/>) so a
    /// blocking job does not stall the loop; callbacks resume on the loop afterwards.
    /// </summary>
    private async Task RunDeferredAsync(JobStep step, JobContext context)
    {
        await _deferGate.WaitAsync();
        try
        {
            await Task.Run(() => step.Run(context).AsTask());
        }
        finally
        {
            _deferGate.Release();
        }
    }

    private async Task OnFailedAsync(NodeJob job, JobDefinition definition, AttemptRun run, Exception failure, JobOutcomeReason reason)
    {
        var args = run.Context.Args;
        var error = $"{failure.GetType().Name}: {failure.Message}";
        args["error"] = error;
        job.Record.LastError = error;
        job.Record.FailedAt = _time.GetUtcNow();
        // The history keeps the stack too (LastError and args["error"] stay one line: they travel in results).
        job.Record.AddFailedAttempt(job.Record.Attempt, job.Record.FailedAt.Value, $"{error}\n{failure.StackTrace}".TrimEnd());
        if (_options.LogJobProcessing)
        {
            LogJobFailed(_logger, job.Record.Name, job.Id, job.Record.Attempt, error);
        }
        var cancelledByErrback = false;
        foreach (var errback in definition.Errbacks)
        {
            using var span = AttemptTracing.StartStep(job.Span, "errback", errback.Name);
            try
            {
                await errback.Run(run.Context);
            }
            catch (CancelJob)
            {
                cancelledByErrback = true;
                break;
            }
            catch (Exception e)
            {
                AttemptTracing.Failed(span, e);
                // A broken errback must not stop the others or the retry.
                LogErrbackFailed(_logger, errback.Name, job.Record.Name, job.Id, e);
            }
        }
        if (job.Ended)
        {
            return;
        }
        if (cancelledByErrback)
        {
            Finish(job, JobOutcomeReason.CancelledByErrback, args, "cancelled from an errback after " + error);
            return;
        }
        if (job.CancelRequested)
        {
            Finish(job, JobOutcomeReason.CancelledByApplication, args, CancelledByApp);
            return;
        }
        var maxAttempt = job.Record.MaxAttempt > 0 ? job.Record.MaxAttempt : _options.MaxAttempt;
        // Typed args that do not bind would fail the same way on every attempt: no retry.
        if (job.Record.Attempt >= maxAttempt || failure is JobArgsException)
        {
            Finish(job, reason, args, error);
            return;
        }
        if (IsStale(job))
        {
            // The distributor already gave this job to another node; it retries there.
            End(job);
            return;
        }
        var multiplier = job.Record.RetryMultiplier ?? _options.RetryMultiplier;
        var delay = RetryDelay.Compute(_options.RetryBackoff, job.Record.Attempt, multiplier, Random.Shared.NextDouble());
        _metrics.Retried(job.Record.Name);
        AttemptTracing.Retrying(job.Span, delay);
        Park(job, _time.GetUtcNow() + delay, JobStatus.Error);
    }
}
