using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Reactor.Protocol.Diagnostics;

namespace Reactor.Distributor;

/// <summary>
/// The distributor's spans: one producer span per enqueued job (and per fork/join task), whose context
/// travels in the Dispatch so the node's consumer span joins the same trace. Without a listener no span
/// is created, and the caller's own current activity, if it has one, is what travels.
/// </summary>
internal static class PublishTracing
{
    private static readonly ConcurrentDictionary<string, string> PublishNames = new(StringComparer.Ordinal);

    /// <summary>
    /// Starts the producer span for job <paramref name="name"/>, a child of <paramref name="parent"/> when it is
    /// valid (a fork/join task: the publishing job's span) and of <see cref="Activity.Current"/> otherwise.
    /// </summary>
    public static Activity? Start(string name, ActivityContext parent = default)
    {
        var source = ReactorTracing.Source;
        if (!source.HasListeners())
        {
            return null;
        }
        var activity = source.StartActivity(
            PublishNames.GetOrAdd(name, static n => "publish " + n), ActivityKind.Producer, parent);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(ReactorTracing.MessagingSystem, "reactor");
            activity.SetTag(ReactorTracing.MessagingOperationType, "send");
            activity.SetTag(ReactorTracing.MessagingOperationName, "publish");
            activity.SetTag(ReactorTracing.MessagingDestination, name);
            activity.SetTag(ReactorTracing.JobName, name);
        }
        return activity;
    }

    /// <summary>Tags the span with the job's id once it has one.</summary>
    public static void Identify(Activity? activity, string jobId, string? parentJobId = null)
    {
        if (activity is not { IsAllDataRequested: true })
        {
            return;
        }
        activity.SetTag(ReactorTracing.MessagingMessageId, jobId);
        activity.SetTag(ReactorTracing.JobId, jobId);
        if (parentJobId is not null)
        {
            activity.SetTag(ReactorTracing.ParentJobId, parentJobId);
        }
    }

    /// <summary>
    /// The trace context to put in the Dispatch: the producer span's, else the caller's current activity
    /// (its app traces with another source), else none. A tracestate the node would refuse is left out.
    /// </summary>
    public static (string? TraceParent, string? TraceState) Context(Activity? producer)
    {
        var activity = producer ?? Activity.Current;
        if (activity is null || activity.IdFormat != ActivityIdFormat.W3C)
        {
            return (null, null);
        }
        var state = activity.TraceStateString;
        if (state is not null && Encoding.UTF8.GetByteCount(state) > ReactorTracing.MaxTraceContextBytes)
        {
            state = null;
        }
        return (activity.Id, state);
    }

    /// <summary>Marks the span failed; returns false so it can sit in an exception filter that rethrows untouched.</summary>
    public static bool Failed(Activity? activity, Exception failure)
    {
        if (activity is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, failure.Message);
            activity.AddException(failure);
        }
        return false;
    }
}
