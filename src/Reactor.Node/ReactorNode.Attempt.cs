using Microsoft.Extensions.Logging;
using Reactor.Node.Jobs;
using Reactor.Node.Runtime;
using Reactor.Storage;

namespace Reactor;

// One attempt of a job: the job, then its callbacks, on one args map; errbacks on failure.
public sealed partial class ReactorNode
{
    private void StartAttempt(NodeJob job)
    {
        if (job.CancelRequested)
        {
            Finish(job, JobOutcomeReason.CancelledByApplication, job.OriginalArgs.Clone(), CancelledByApp);
            return;
        }
        job.Record.Attempt++;
        job.Record.Status = JobStatus.InProgress;
        ResetPublished(job);
        job.Running = true;
        job.AttemptStarted = _time.GetTimestamp();
        Interlocked.Increment(ref _running);
        var token = ++job.AttemptToken;
        var args = job.OriginalArgs.Clone();
        AttachFlow(job, args);
        if (_options.MergeJobItselfToArgs)
        {
            args["job_itself"] = JobReflection.Describe(job);
        }
        Persist(job);
        _catalog.TryGet(job.Record.Name, out var definition);
        _ = RunAttemptAsync(job, definition!, args, token);
    }

    private async Task RunAttemptAsync(NodeJob job, JobDefinition definition, JobArgs args, int token)
    {
        // The mark lets the watchdog tell whose code holds the loop, in this step and after every await.
        var step = new AttemptStep(job, token, job.Record.Timeout);
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
        try
        {
            // Job code starts as a piece of loop work of its own: if it blocks and the watchdog abandons
            // the thread, whatever started the attempt (a timer drain with more jobs due) is not left half done.
            await Task.Yield();
            var started = _metrics.AttemptStarted();
            Exception? failure = null;
            var timedOut = false;
            CancelJob? cancelledByJob = null;
            var work = RunStepsAsync(job, definition, args, step);
            try
            {
                if (job.Record.Timeout is { } timeout)
                {
                    await work.WaitAsync(timeout, _time);
                }
                else
                {
                    await work;
                }
            }
            catch (CancelJob cancel)
            {
                cancelledByJob = cancel;
            }
            catch (TimeoutException) when (!work.IsCompleted)
            {
                failure = new TimeoutException($"job '{job.Record.Name}' did not finish within {job.Record.Timeout}");
                timedOut = true;
            }
            catch (Exception e)
            {
                failure = e;
            }
            if (!step.TryFinish())
            {
                // The watchdog already failed this attempt because it blocked the loop (see
                // OnLoopStall); this may be the abandoned thread coming back, so touch nothing.
                return;
            }
            job.Running = false;
            Interlocked.Decrement(ref _running);
            _metrics.AttemptEnded(job.Record.Name, started,
                cancelledByJob is not null ? JobOutcome.Cancelled
                : failure is null ? JobOutcome.Succeeded : JobOutcome.Failed);
            if (token != job.AttemptToken || job.Ended)
            {
                return;
            }
            if (IsVoid(job))
            {
                AttemptTracing.Ended(span, "void");
                RunAgainOrLeave(job);
                return;
            }
            if (cancelledByJob is not null)
            {
                // CancelJob from job code ends the job for good: cancelled, with the job's own words as the reason.
                Finish(job, JobOutcomeReason.CancelledByJob, args, CancelledByJobText + cancelledByJob.Message);
            }
            else if (failure is null)
            {
                OnSucceeded(job, args);
            }
            else
            {
                AttemptTracing.Failed(span, failure);
                await OnFailedAsync(job, definition, args, failure, timedOut ? JobOutcomeReason.TimedOut : JobOutcomeReason.Threw);
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

    private async Task RunStepsAsync(NodeJob job, JobDefinition definition, JobArgs args, AttemptStep step)
    {
        if (job.Record.Defer)
        {
            await RunDeferredAsync(definition.Body!, args);
        }
        else
        {
            await definition.Body!.Run(args);
        }
        foreach (var callback in definition.Callbacks)
        {
            if (step.Abandoned)
            {
                // Blocked past its timeout and already failed: its callbacks must not run late.
                return;
            }
            using var span = AttemptTracing.StartStep(job.Span, "callback", callback.Name);
            await callback.Run(args);
        }
    }

    /// <summary>
    /// Runs the job body on the thread pool (bounded by <see cref="NodeOptions.MaxDeferred"/>) so a
    /// blocking job does not stall the loop; callbacks resume on the loop afterwards.
    /// </summary>
    private async Task RunDeferredAsync(JobStep step, JobArgs args)
    {
        await _deferGate.WaitAsync();
        try
        {
            await Task.Run(() => step.Run(args).AsTask());
        }
        finally
        {
            _deferGate.Release();
        }
    }

    private async Task OnFailedAsync(NodeJob job, JobDefinition definition, JobArgs args, Exception failure, JobOutcomeReason reason)
    {
        var error = $"{failure.GetType().Name}: {failure.Message}";
        args["error"] = error;
        job.Record.LastError = error;
        job.Record.FailedAt = _time.GetUtcNow();
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
                await errback.Run(args);
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
        if (job.Record.Attempt >= maxAttempt)
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
