using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Reactor.Protocol.Diagnostics;
using Reactor.Protocol.Messages;

namespace Reactor.Node.Runtime;

/// <summary>
/// The node's spans: one consumer span per attempt (a child of the enqueuer's span when the Dispatch carried
/// its trace context), with callbacks and errbacks as child spans. Every method returns at once when nobody
/// listens to <see cref="ReactorTracing.Source"/>: no span, no parsing, no allocation.
/// </summary>
internal static class AttemptTracing
{
    private static readonly ConcurrentDictionary<string, string> ProcessNames = new(StringComparer.Ordinal);

    /// <summary>
    /// Starts the attempt's consumer span and makes it current for the job code. Returns null without a
    /// listener. <paramref name="badContext"/> is true when the job carried a trace context that does not parse.
    /// </summary>
    public static Activity? StartAttempt(NodeJob job, string nodeName, out bool badContext)
    {
        badContext = false;
        var source = ReactorTracing.Source;
        if (!source.HasListeners())
        {
            return null;
        }
        var parent = default(ActivityContext);
        if (job.TraceParent is { } traceParent
            && !ActivityContext.TryParse(traceParent, job.TraceState, isRemote: true, out parent))
        {
            badContext = true;
        }
        // The span's only parent is the one that came over the wire: whatever is current on the loop (the
        // previous attempt, when a void attempt restarts from inside it) is not. This runs inside the
        // attempt's async method, so clearing Current does not leak to the caller.
        Activity.Current = null;
        var name = job.Record.Name;
        var activity = source.StartActivity(
            ProcessNames.GetOrAdd(name, static n => "process " + n), ActivityKind.Consumer, parent);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(ReactorTracing.MessagingSystem, "reactor");
            activity.SetTag(ReactorTracing.MessagingOperationType, "process");
            activity.SetTag(ReactorTracing.MessagingOperationName, "process");
            activity.SetTag(ReactorTracing.MessagingDestination, name);
            activity.SetTag(ReactorTracing.MessagingMessageId, job.Id);
            activity.SetTag(ReactorTracing.JobName, name);
            activity.SetTag(ReactorTracing.JobId, job.Id);
            activity.SetTag(ReactorTracing.JobAttempt, job.Record.Attempt);
            activity.SetTag(ReactorTracing.NodeName, nodeName);
        }
        return activity;
    }

    /// <summary>A child span for one callback or errback of a traced attempt; null when the attempt has no span.</summary>
    public static Activity? StartStep(Activity? attempt, string kind, string stepName)
    {
        if (attempt is null)
        {
            return null;
        }
        var activity = ReactorTracing.Source.StartActivity(kind + " " + stepName, ActivityKind.Internal);
        activity?.SetTag(ReactorTracing.CallbackName, stepName);
        return activity;
    }

    /// <summary>Records the exception that ended a step or an attempt: status Error and an <c>exception</c> event.</summary>
    public static void Failed(Activity? activity, Exception failure)
    {
        if (activity is null)
        {
            return;
        }
        activity.SetStatus(ActivityStatusCode.Error, failure.Message);
        activity.AddException(failure);
    }

    /// <summary>Tags how the attempt ended; an error outcome without an exception (a timeout, a cancel) still sets status Error.</summary>
    public static void Ended(Activity? activity, string outcome, string? error = null)
    {
        if (activity is null)
        {
            return;
        }
        activity.SetTag(ReactorTracing.JobOutcome, outcome);
        if (error is not null && activity.Status != ActivityStatusCode.Error)
        {
            activity.SetStatus(ActivityStatusCode.Error, error);
        }
    }

    /// <summary>The attempt failed and the job waits <paramref name="delay"/> for the next one: the next attempt is a span of its own.</summary>
    public static void Retrying(Activity? activity, TimeSpan delay)
    {
        if (activity is null)
        {
            return;
        }
        activity.SetTag(ReactorTracing.JobOutcome, "retry");
        activity.AddEvent(new ActivityEvent("retry scheduled",
            tags: new ActivityTagsCollection { ["reactor.retry.delay_ms"] = (long)delay.TotalMilliseconds }));
    }

    /// <summary>
    /// Gives a publish the trace context of the job code's current span (the attempt's consumer span or a
    /// span the job started), so the published task is its child; without a listener, the context the job
    /// came with passes on unchanged, so the task still joins the enqueuer's trace.
    /// </summary>
    public static Publish Propagate(Publish publish, NodeJob job)
    {
        if (Activity.Current is { IdFormat: ActivityIdFormat.W3C } current)
        {
            var state = current.TraceStateString;
            return publish with
            {
                TraceParent = current.Id,
                TraceState = state is not null && Encoding.UTF8.GetByteCount(state) <= ReactorTracing.MaxTraceContextBytes ? state : null,
            };
        }
        return job.TraceParent is null ? publish : publish with { TraceParent = job.TraceParent, TraceState = job.TraceState };
    }

    public static string Outcome(JobOutcome code) => code switch
    {
        JobOutcome.Succeeded => "success",
        JobOutcome.Cancelled => "cancelled",
        _ => "error",
    };
}
