using System.Diagnostics;
using Reactor.Distribution;
using Reactor.Distribution.Feedback;
using Reactor.Protocol.Messages;

namespace Reactor;

public sealed partial class ReactorDistributor
{
    /// <summary>
    /// Queues a job and returns its id. <paramref name="success"/> runs with the args as the node left
    /// them; <paramref name="error"/> runs with those args plus <c>error</c> after the last attempt
    /// failed; <paramref name="progress"/> (optional) runs for each progress report the job's code sends, in
    /// order and before the final feedback, on the same delivery thread. Args that cannot be sent throw <see cref="ArgumentException"/> here and nothing is sent.
    /// With <see cref="DistributorOptions.Redis"/> (and <see cref="DistributorOptions.DurableEnqueue"/>,
    /// the default) it returns once Redis holds the job, and throws <see cref="JournalWriteException"/>
    /// when Redis refused it: a job whose id was returned is never lost to an application crash.
    /// </summary>
    /// <remarks>
    /// Traced as a producer span <c>publish {name}</c> from the <c>Reactor</c> activity source (a child of the
    /// caller's current activity) whose context travels to the node; see docs/observability.md.
    /// </remarks>
    public string Enqueue(string name, object? args = null, EnqueueOptions? options = null,
        Action<JobArgs>? success = null, Action<JobArgs>? error = null, Action<JobProgress>? progress = null)
    {
        using var span = PublishTracing.Start(name);
        try
        {
            return Enqueue(name, args, options, success, error, progress, span);
        }
        catch (Exception e) when (PublishTracing.Failed(span, e))
        {
            throw; // never reached: the filter only records the failure on the span
        }
    }

    private string Enqueue(string name, object? args, EnqueueOptions? options,
        Action<JobArgs>? success, Action<JobArgs>? error, Action<JobProgress>? progress, Activity? span)
    {
        var job = Prepare(name, args, options, span);
        _feedback.Register(job.Id, new JobFeedback(name, success, error, null, OnProgress: progress));
        var recorded = Record(job);
        if (recorded.IsCompletedSuccessfully)
        {
            Dispatch(job);
        }
        else if (_options.DurableEnqueue)
        {
            // Blocks on the write itself (not on a continuation), so callers that hold every
            // thread-pool thread still wake: the journal completes it from its own thread.
            try
            {
                recorded.GetAwaiter().GetResult();
            }
            catch
            {
                _feedback.Forget(job.Id);
                throw;
            }
            Dispatch(job);
        }
        else
        {
            _ = DispatchWhenRecordedAsync(job, recorded);
        }
        return job.Id;
    }

    /// <summary>
    /// Queues a job and completes with its final result. With a journal, a job Redis refused faults
    /// the task with <see cref="JournalWriteException"/>. <paramref name="progress"/> (optional) hears each
    /// progress report the job's code sends, in order, before the task completes.
    /// </summary>
    /// <remarks>Traced like <see cref="Enqueue(string, object?, EnqueueOptions?, Action{JobArgs}?, Action{JobArgs}?, Action{JobProgress}?)"/>; the span ends once the job is queued, not when it finishes.</remarks>
    public async Task<JobResult> EnqueueAsync(string name, object? args = null, EnqueueOptions? options = null,
        IProgress<JobProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var span = PublishTracing.Start(name);
        Task<JobResult> result;
        try
        {
            var job = Prepare(name, args, options, span);
            var completion = new TaskCompletionSource<JobResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            _feedback.Register(job.Id, new JobFeedback(name, null, null, completion,
                OnProgress: progress is null ? null : progress.Report));
            await AwaitRecorded(job, Record(job)).ConfigureAwait(false);
            Dispatch(job);
            result = completion.Task;
        }
        catch (Exception e) when (PublishTracing.Failed(span, e))
        {
            throw; // never reached: the filter only records the failure on the span
        }
        finally
        {
            span?.Dispose();
        }
        return await result.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Cancels a waiting, deferred, periodic or running job.</summary>
    public CancelResult Cancel(string jobId)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        var result = _dispatcher.Cancel(jobId, out var waiting);
        if (waiting is not null)
        {
            _feedback.Fail(jobId, JobOutcome.Cancelled, waiting.Dispatch.Args.Clone(), "cancelled by the application");
        }
        return result;
    }

    /// <summary>Validates the request and builds the job, with its args encoded once for every send.</summary>
    private JobEnvelope Prepare(string name, object? args, EnqueueOptions? options, Activity? span)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!IsListening || _stopping.IsCancellationRequested)
        {
            throw new InvalidOperationException("the distributor is not running; start it before enqueueing");
        }
        options ??= Defaults;
        options.Validate();
        var jobArgs = JobArgs.From(args);
        var encodedArgs = _codec.EncodeArgs(jobArgs);
        if (encodedArgs.Length > _options.Limits.MaxFrameBytes - 1024)
        {
            throw new ArgumentException($"job args take {encodedArgs.Length} bytes; a frame holds at most {_options.Limits.MaxFrameBytes}", nameof(args));
        }
        var now = _time.GetUtcNow();
        var runAt = options.RunAt ?? (options.After is { } after ? now + after : null);
        var id = _ids.Next();
        PublishTracing.Identify(span, id);
        var (traceParent, traceState) = PublishTracing.Context(span);
        var dispatch = new Dispatch(id, name, jobArgs,
            runAt?.ToUnixTimeMilliseconds() ?? 0,
            (long)(options.Period?.TotalMilliseconds ?? 0),
            options.Defer,
            options.MaxAttempt ?? 0,
            (long)(options.RetryMultiplier?.TotalMilliseconds ?? 0),
            (long)(options.Timeout?.TotalMilliseconds ?? 0))
        {
            EncodedArgs = encodedArgs,
            TraceParent = traceParent,
            TraceState = traceState,
        };
        var waitFrom = runAt is { } due && due > now ? due : now;
        return new JobEnvelope(dispatch, options.Node, options.NotNode, waitFrom + (options.Timeout ?? _options.PendingTimeout))
        {
            MaxDispatches = options.MaxDispatches ?? 0,
            EnqueuedAt = _metrics.EnqueueTimestamp(),
        };
    }

    /// <summary>
    /// Journals the job (a completed task without a journal). The feedback is registered before, and
    /// the dispatch follows the acknowledgement, so the entry is in Redis before a node can settle
    /// it: a settle can never precede the write it removes.
    /// </summary>
    private Task Record(JobEnvelope job) => _journal?.RecordAsync(job) ?? Task.CompletedTask;

    private async Task AwaitRecorded(JobEnvelope job, Task recorded)
    {
        try
        {
            await recorded.ConfigureAwait(false);
        }
        catch
        {
            _feedback.Forget(job.Id);
            throw;
        }
    }

    /// <summary>Fire-and-forget journaling: dispatch after the write, or fail the feedback if Redis refused it.</summary>
    private async Task DispatchWhenRecordedAsync(JobEnvelope job, Task recorded)
    {
        try
        {
            await recorded.ConfigureAwait(false);
            Dispatch(job);
        }
        catch (Exception e)
        {
            _feedback.Fail(job.Id, JobOutcome.Failed, job.Dispatch.Args.Clone(), e.Message, settle: false);
        }
    }

    private void Dispatch(JobEnvelope job)
    {
        try
        {
            if (_dispatcher.Submit(job) == SubmitResult.UnknownName)
            {
                WarnUnknown(job.Name);
            }
            _metrics.Enqueued(job.Name);
        }
        catch
        {
            _feedback.Forget(job.Id);
            _journal?.Forget(job.Id);
            throw;
        }
    }

    private static readonly EnqueueOptions Defaults = new();

    private readonly JobIds _ids = new();
}
