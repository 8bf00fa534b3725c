using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Reactor.Protocol.Messages;

namespace Reactor.Distribution.Feedback;

/// <summary>What the app asked to hear about one job.</summary>
internal sealed record JobFeedback(
    string Name,
    Action<JobArgs>? Success,
    Action<JobArgs>? Error,
    TaskCompletionSource<JobResult>? Completion,
    Action<JobResult>? Recovered = null);

/// <summary>
/// The app's feedbacks by job id. An entry leaves on the job's first final result (so a job that ran
/// twice after a node loss still calls back once), on timeout, on cancellation and on shutdown;
/// nothing stays behind. User lambdas run on one delivery loop, in arrival order, never on a
/// connection's read loop, so a slow feedback cannot stall a node link.
/// </summary>
internal sealed partial class FeedbackRegistry : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, JobFeedback> _entries = new(StringComparer.Ordinal);
    private readonly Channel<(JobFeedback Feedback, JobResult Result)> _deliveries =
        Channel.CreateUnbounded<(JobFeedback, JobResult)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ILogger _logger;
    private readonly Task _deliveryLoop;

    public FeedbackRegistry(ILogger logger)
    {
        _logger = logger;
        _deliveryLoop = Task.Run(DeliverAsync);
    }

    public int Count => _entries.Count;

    /// <summary>Called once per job when its final result is known (the durable journal records it).</summary>
    public Action<string, JobResult>? Settled { get; set; }

    public void Register(string jobId, JobFeedback feedback) => _entries[jobId] = feedback;

    public void Forget(string jobId) => _entries.TryRemove(jobId, out _);

    /// <summary>Routes a node's result; a final one removes the entry, and only the first final one counts.</summary>
    public bool Deliver(Result result)
    {
        JobFeedback? feedback;
        if (result.Final ? !_entries.TryRemove(result.JobId, out feedback) : !_entries.TryGetValue(result.JobId, out feedback))
        {
            return false;
        }
        var outcome = result.Outcome switch
        {
            JobOutcomeCode.Success => JobOutcome.Succeeded,
            JobOutcomeCode.Cancelled => JobOutcome.Cancelled,
            _ => JobOutcome.Failed,
        };
        // JobResult is immutable, so the delivery loop and the awaiting caller share one.
        var jobResult = new JobResult(result.JobId, outcome, result.Args, result.Error);
        if (feedback.Success is not null || feedback.Error is not null || feedback.Recovered is not null)
        {
            // Only jobs with lambdas go through the delivery loop; EnqueueAsync callers are completed below.
            _deliveries.Writer.TryWrite((feedback, jobResult));
        }
        if (result.Final)
        {
            feedback.Completion?.TrySetResult(jobResult);
            Settled?.Invoke(feedback.Name, jobResult);
        }
        return true;
    }

    /// <summary>Ends a job that never reached a node (timed out waiting, cancelled while pending, shutdown).</summary>
    public void Fail(string jobId, JobOutcome outcome, JobArgs args, string error, bool settle = true)
    {
        if (!_entries.TryRemove(jobId, out var feedback))
        {
            return;
        }
        args["error"] = error;
        var result = new JobResult(jobId, outcome, args, error);
        _deliveries.Writer.TryWrite((feedback, result));
        feedback.Completion?.TrySetResult(result);
        if (settle)
        {
            Settled?.Invoke(feedback.Name, result);
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
            Fail(jobId, JobOutcome.Failed, new JobArgs(), error, settle: false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _deliveries.Writer.TryComplete();
        await _deliveryLoop.ConfigureAwait(false);
    }

    private async Task DeliverAsync()
    {
        await foreach (var (feedback, result) in _deliveries.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            // A job cancelled by its own code (no error) is a success for the app; everything else
            // that did not succeed goes to the error feedback.
            var callback = result.Outcome == JobOutcome.Succeeded || result.Error is null ? feedback.Success : feedback.Error;
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
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Error, Message = "Feedback for job {Name} {JobId} threw")]
    private static partial void LogFeedbackThrew(ILogger logger, string name, string jobId, Exception exception);
}
