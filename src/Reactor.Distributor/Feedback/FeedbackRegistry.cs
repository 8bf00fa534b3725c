using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Reactor.Protocol.Messages;

namespace Reactor.Distributor.Feedback;

/// <summary>
/// What the app asked to hear about one job. <see cref="Settled"/> is the distributor's own hook (a unique
/// key to release, a batch to count): it runs once, when the final result is recorded (journaled, with a
/// journal), right after the job's lambdas were queued (so what it posts runs after them); not when the
/// distributor stops with the job unsettled.
/// </summary>
internal sealed record JobFeedback(
    string Name,
    Action<JobArgs>? Success,
    Action<JobArgs>? Error,
    TaskCompletionSource<JobResult>? Completion,
    Action<JobResult>? Recovered = null,
    Action<JobResult>? Settled = null,
    Action<JobProgress>? OnProgress = null)
{
    /// <summary>Runs for a cancelled job; without it, <see cref="Error"/> runs (<see cref="OutcomeMapping.Lambda"/>).</summary>
    public Action<JobArgs>? Cancelled { get; init; }

    /// <summary>Feedbacks of duplicates of this unique job (<c>EnqueueOptions.UniqueKey</c>), each run once with its outcome.</summary>
    public System.Collections.Immutable.ImmutableList<JobFeedback>? Duplicates { get; init; }

    /// <summary>The batch whose Redis counters this job's outcome goes to as it settles; null when none.</summary>
    public string? BatchId { get; init; }
}

/// <summary>
/// The app's feedbacks by job id. An entry leaves on the job's first final result (so a job that ran
/// twice after a node loss still calls back once), on timeout, on cancellation and on shutdown;
/// nothing stays behind. User lambdas run on one delivery loop, in arrival order, never on a
/// connection's read loop, so a slow feedback cannot stall a node link. With a journal, a final
/// result is made durable first; only then do its feedbacks run and the node hear that it was recorded.
/// </summary>
internal sealed partial class FeedbackRegistry : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, JobFeedback> _entries = new(StringComparer.Ordinal);
    private readonly Channel<Delivery> _deliveries = Channel.CreateUnbounded<Delivery>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ILogger _logger;
    private readonly Task _deliveryLoop;
    private IResultJournal? _journal;
    private TimeProvider _time = TimeProvider.System;

    public FeedbackRegistry(ILogger logger, TimeProvider? time = null)
    {
        _logger = logger;
        Results = new ResultLog(time ?? TimeProvider.System);
        _deliveryLoop = Task.Run(DeliverAsync);
    }

    public int Count => _entries.Count;

    /// <summary>Every job that ended here (first final result, timeout, cancel, shutdown), for the snapshot.</summary>
    public ResultLog Results { get; }

    /// <summary>From now on, final results are recorded in <paramref name="journal"/> before their feedback runs.</summary>
    public void UseJournal(IResultJournal journal, TimeProvider time)
    {
        _journal = journal;
        _time = time;
    }

    public void Register(string jobId, JobFeedback feedback) => _entries[jobId] = feedback;

    public void Forget(string jobId) => _entries.TryRemove(jobId, out _);

    /// <summary>
    /// Adds <paramref name="extra"/>'s lambdas and completion to the live entry of <paramref name="jobId"/> (a
    /// duplicate of a unique job hears the holder's outcome); false when the job has no entry here (finished,
    /// or enqueued by another application instance). <paramref name="extra"/>'s <c>Settled</c> hook is not kept.
    /// </summary>
    public bool Attach(string jobId, JobFeedback extra)
    {
        while (_entries.TryGetValue(jobId, out var current))
        {
            // A list, not nested delegates: 100,000 duplicates must not make a 100,000-deep call chain.
            var merged = current with { Duplicates = (current.Duplicates ?? []).Add(extra with { Settled = null }) };
            if (_entries.TryUpdate(jobId, merged, current))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Routes a node's result; a final one removes the entry, and only the first final one counts.
    /// <paramref name="recorded"/> hears once the final result is durable (at once without a journal,
    /// and at once for a final result that was not news), with <paramref name="sequence"/>, the result's
    /// running number on its connection.
    /// </summary>
    public bool Deliver(Result result, IResultRecorded? recorded = null, long sequence = 0)
    {
        JobFeedback? feedback;
        if (result.Final ? !_entries.TryRemove(result.JobId, out feedback) : !_entries.TryGetValue(result.JobId, out feedback))
        {
            recorded?.Recorded(result.JobId, sequence);
            return false;
        }
        // JobResult is immutable, so the delivery loop and the awaiting caller share one.
        var jobResult = OutcomeMapping.ToJobResult(result);
        if (result.Final)
        {
            Results.Add(feedback.Name, jobResult);
            Settle(feedback, jobResult, recorded, sequence);
        }
        else if (HasLambdas(feedback))
        {
            _deliveries.Writer.TryWrite(new Delivery(feedback, jobResult, Journaled: false));
        }
        return true;
    }

    /// <summary>
    /// Ends a job the distributor decides about itself (timed out waiting, cancelled while pending, its nodes
    /// lost, shutdown); the outcome follows from <paramref name="reason"/>.
    /// </summary>
    public void Fail(string jobId, JobOutcomeReason reason, JobArgs args, string error, bool settle = true)
    {
        if (!_entries.TryRemove(jobId, out var feedback))
        {
            return;
        }
        var outcome = JobOutcomeReasons.OutcomeOf(reason) ?? throw new ArgumentOutOfRangeException(nameof(reason));
        args["error"] = error;
        var result = new JobResult(jobId, outcome, args, error) { Reason = reason };
        Results.Add(feedback.Name, result);
        if (settle)
        {
            Settle(feedback, result, recorded: null, sequence: 0);
        }
        else
        {
            Announce(feedback, result, journaled: false);
        }
    }

    /// <summary>
    /// Fails every outstanding entry in this process (the distributor is stopping). The jobs are not
    /// settled: with a durable journal they run again after a restart.
    /// </summary>
    public void FailAll(string error)
    {
        foreach (var jobId in _entries.Keys)
        {
            Fail(jobId, JobOutcomeReason.DistributorStopped, new JobArgs(), error, settle: false);
        }
    }

    /// <summary>Runs the feedback of a result recorded before a restart whose feedback had not run yet.</summary>
    public void Redeliver(JobFeedback feedback, JobResult result) => Announce(feedback, result, journaled: true);

    public async ValueTask DisposeAsync()
    {
        _deliveries.Writer.TryComplete();
        await _deliveryLoop.ConfigureAwait(false);
    }

    private void Settle(JobFeedback feedback, JobResult result, IResultRecorded? recorded, long sequence)
    {
        if (_journal is not { } journal)
        {
            Announce(feedback, result, journaled: false);
            RunSettled(feedback, result);
            recorded?.Recorded(result.JobId, sequence);
            return;
        }
        _ = journal.SettleAsync(feedback.Name, result, _time.GetUtcNow(), feedback.BatchId).ContinueWith(t =>
        {
            if (t.IsCompletedSuccessfully)
            {
                Announce(feedback, result, journaled: true);
                RunSettled(feedback, result);
                recorded?.Recorded(result.JobId, sequence);
                return;
            }
            // Stopping before Redis took the result: the job stays journaled and runs again after a
            // restart, and the node keeps the unacknowledged result to send it again.
            // Only the awaiting caller hears it (the lambdas run after the restart, with the real result).
            const string stopped = "the distributor stopped before the job's result was recorded";
            var args = result.Args.Clone();
            args["error"] = stopped;
            feedback.Completion?.TrySetResult(result with
            {
                Outcome = JobOutcome.Failed,
                Args = args,
                Error = stopped,
                Reason = JobOutcomeReason.DistributorStopped,
            });
        }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }

    private void RunSettled(JobFeedback feedback, JobResult result)
    {
        try
        {
            feedback.Settled?.Invoke(result);
        }
        catch (Exception e)
        {
            LogFeedbackThrew(_logger, feedback.Name, result.JobId, e);
        }
    }

    /// <summary>Runs <paramref name="action"/> on the delivery loop, after every feedback queued before it.</summary>
    public void Post(Action action) =>
        _deliveries.Writer.TryWrite(new Delivery(new JobFeedback("(batch)", null, null, null, _ => action()), new JobResult("", JobOutcome.Succeeded, new JobArgs(), null), false));

    private void Announce(JobFeedback feedback, JobResult result, bool journaled)
    {
        if (HasLambdas(feedback))
        {
            _deliveries.Writer.TryWrite(new Delivery(feedback, result, journaled));
        }
        else if (journaled)
        {
            _journal?.MarkDelivered(result.JobId);
        }
        if (feedback.OnProgress is null)
        {
            feedback.Completion?.TrySetResult(result);
        }
        // Otherwise the delivery loop completes it, after the progress reports queued before this result.
    }

    private static bool HasLambdas(JobFeedback feedback) =>
        feedback.Success is not null || feedback.Error is not null || feedback.Cancelled is not null
        || feedback.Recovered is not null || feedback.Duplicates is not null || feedback.OnProgress is not null;

    private async Task DeliverAsync()
    {
        await foreach (var (feedback, result, journaled, progress) in _deliveries.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            if (progress is not null)
            {
                DeliverProgress(feedback, progress);
                continue;
            }
            Run(feedback, result);
            if (feedback.OnProgress is not null)
            {
                feedback.Completion?.TrySetResult(result);
            }
            foreach (var duplicate in feedback.Duplicates ?? [])
            {
                Run(duplicate, result);
                duplicate.Completion?.TrySetResult(result);
            }
            if (journaled)
            {
                _journal?.MarkDelivered(result.JobId);
            }
        }
    }

    private void Run(JobFeedback feedback, JobResult result)
    {
        var callback = OutcomeMapping.Lambda(feedback, result.Outcome);
        try
        {
            callback?.Invoke(result.Args);
            feedback.Recovered?.Invoke(result);
        }
        catch (Exception e)
        {
            LogFeedbackThrew(_logger, feedback.Name, result.JobId, e);
        }
    }

    /// <summary>One item for the delivery loop: a result, or (with <see cref="Progress"/> set) a progress report.</summary>
    private readonly record struct Delivery(JobFeedback Feedback, JobResult Result, bool Journaled, JobProgress? Progress = null);

    [LoggerMessage(EventId = 300, Level = LogLevel.Error, Message = "Feedback for job {Name} {JobId} threw")]
    private static partial void LogFeedbackThrew(ILogger logger, string name, string jobId, Exception exception);
}
