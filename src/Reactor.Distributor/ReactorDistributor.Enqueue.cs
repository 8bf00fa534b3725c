using System.Diagnostics;
using Reactor.Distributor;
using Reactor.Distributor.Feedback;
using Reactor.Protocol.Messages;

namespace Reactor;

public sealed partial class ReactorDistributor
{
    /// <summary>
    /// Queues a job and returns its id. Exactly one lambda runs per final outcome, the one that matches
    /// what <see cref="EnqueueAsync"/> would have returned (<see cref="JobResult.Outcome"/>):
    /// <paramref name="success"/> when the job succeeded (and after each run of a periodic job), with the
    /// args as the node left them; <paramref name="error"/> when it failed (after its last attempt, a
    /// timeout, or because no node took it), with those args plus <c>error</c>, the reason;
    /// <paramref name="cancelled"/> when it was cancelled (by <see cref="Cancel"/>, or by <c>CancelJob</c>
    /// from its own code or an errback), with the args plus <c>error</c> saying who cancelled it. Without
    /// <paramref name="cancelled"/>, a cancelled job runs <paramref name="error"/>: it did not do its work,
    /// so it never runs <paramref name="success"/>. <paramref name="progress"/> (optional) runs for each progress report the job's code sends, in
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
        Action<JobArgs>? success = null, Action<JobArgs>? error = null, Action<JobArgs>? cancelled = null,
        Action<JobProgress>? progress = null)
    {
        using var span = PublishTracing.Start(name);
        try
        {
            return EnqueueCore(name, args, options, new JobFeedback(name, success, error, null, OnProgress: progress) { Cancelled = cancelled }, span);
        }
        catch (Exception e) when (PublishTracing.Failed(span, e))
        {
            throw; // never reached: the filter only records the failure on the span
        }
    }

    private string EnqueueCore(string name, object? args, EnqueueOptions? options, JobFeedback feedback, Activity? span)
    {
        var job = Prepare(name, args, options, span);
        UniqueClaim claim = default;
        if (job.UniqueKey is null)
        {
            // The common case without the async claim: no Task per job for a result that is always "go ahead".
            _feedback.Register(job.Id, feedback);
        }
        else
        {
            claim = RegisterAsync(job, WithRelease(job, feedback), blocking: true).GetAwaiter().GetResult();
        }
        if (claim.Holder is { } holder)
        {
            return holder;
        }
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
                ReleaseUnqueued(job);
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
    /// Queues a job and completes with its final result: <see cref="JobOutcome.Succeeded"/>,
    /// <see cref="JobOutcome.Failed"/> or <see cref="JobOutcome.Cancelled"/>, with <see cref="JobResult.Error"/>
    /// saying why whenever it did not succeed. With a journal, a job Redis refused faults
    /// the task with <see cref="JournalWriteException"/>. <paramref name="progress"/> (optional) hears each
    /// progress report the job's code sends, in order, before the task completes.
    /// </summary>
    /// <remarks>Traced like <see cref="Enqueue(string, object?, EnqueueOptions?, Action{JobArgs}?, Action{JobArgs}?, Action{JobArgs}?, Action{JobProgress}?)"/>; the span ends once the job is queued, not when it finishes.</remarks>
    public async Task<JobResult> EnqueueAsync(string name, object? args = null, EnqueueOptions? options = null,
        IProgress<JobProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var span = PublishTracing.Start(name);
        Task<JobResult> result;
        try
        {
            var job = Prepare(name, args, options, span);
            var completion = new TaskCompletionSource<JobResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            var claim = await RegisterAsync(job, WithRelease(job, new JobFeedback(name, null, null, completion,
                OnProgress: progress is null ? null : progress.Report)), blocking: false).ConfigureAwait(false);
            if (claim.Holder is { } holder && !claim.Attached)
            {
                throw new DuplicateJobException(holder, job.UniqueKey!);
            }
            if (claim.Holder is null)
            {
                await AwaitRecorded(job, Record(job)).ConfigureAwait(false);
                Dispatch(job);
            }
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

    /// <summary>
    /// Cancels a waiting, deferred, periodic or running job. It ends as <see cref="JobOutcome.Cancelled"/>
    /// with the error <c>cancelled by the application</c>: at once when it had not reached a node
    /// (<see cref="CancelResult.Cancelled"/>), otherwise once the node has stopped it
    /// (<see cref="CancelResult.Requested"/>); code that is running is not interrupted, the job ends
    /// when its attempt does, and ends cancelled even if that attempt succeeded.
    /// </summary>
    public CancelResult Cancel(string jobId)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        var result = _dispatcher.Cancel(jobId, out var waiting);
        if (waiting is not null)
        {
            _feedback.Fail(jobId, JobOutcomeReason.CancelledByApplication, waiting.Dispatch.Args.Clone(), "cancelled by the application");
        }
        return result;
    }

    /// <summary>Validates the request and builds the job, with its args encoded once for every send.</summary>
    private JobEnvelope Prepare(string name, object? args, EnqueueOptions? options, Activity? span, string? id = null)
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
        if (options.Cron is { } cron)
        {
            runAt = FirstCronSlot(cron, options.TimeZone, runAt is { } start && start > now ? start : now);
        }
        id ??= _ids.Next();
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
            Cron = options.Cron,
            TimeZone = options.Cron is null ? null : options.TimeZone,
            CronMisfire = (int)options.Misfire,
        };
        var waitFrom = runAt is { } due && due > now ? due : now;
        var job = new JobEnvelope(dispatch, options.Node, options.NotNode, waitFrom + (options.Timeout ?? _options.PendingTimeout))
        {
            MaxDispatches = options.MaxDispatches ?? 0,
            EnqueuedAt = _metrics.EnqueueTimestamp(),
            UniqueKey = options.UniqueKey,
            Priority = options.Priority,
            UniqueFor = options.UniqueKey is null ? default : options.UniqueFor ?? EnqueueOptions.DefaultUniqueFor,
            UniqueUntil = options.UniqueUntil,
        };
        ReleaseOnStart(job);
        return job;
    }

    /// <summary>The first slot of a cron schedule after <paramref name="from"/>; throws for a bad expression or zone, or one that never fires.</summary>
    private static DateTimeOffset FirstCronSlot(string cron, string? timeZone, DateTimeOffset from)
    {
        var schedule = Protocol.Scheduling.CronSchedule.Parse(cron, timeZone);
        return schedule.Next(from)
            ?? throw new ArgumentException($"cron expression '{cron}' never fires (no slot after {from:u} in {schedule.Zone.Id})", nameof(EnqueueOptions.Cron));
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
            ReleaseUnqueued(job);
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
            ReleaseUnqueued(job);
            _feedback.Fail(job.Id, JobOutcomeReason.NotRecorded, job.Dispatch.Args.Clone(), e.Message, settle: false);
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
            ReleaseUnqueued(job);
            throw;
        }
    }

    private static readonly EnqueueOptions Defaults = new();

    private readonly JobIds _ids = new();
}
