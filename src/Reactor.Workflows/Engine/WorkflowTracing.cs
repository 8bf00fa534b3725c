using System.Diagnostics;
using System.Text;
using Reactor.Protocol.Diagnostics;
using Reactor.Workflows.Store;

namespace Reactor.Workflows.Engine;

/// <summary>
/// Keeps a workflow's steps in the trace of whatever started it. The engine enqueues step jobs from its
/// own loop (a job's feedback, a sweep, a resume), where <see cref="Activity.Current"/> has nothing to do
/// with the caller; so the caller's context is stored with the workflow and becomes the parent of a short
/// <c>workflow step {step}</c> span that each step job is enqueued under. With no listener on the
/// <c>Reactor</c> source nothing is started: only the caller's context string is stored.
/// </summary>
internal static class WorkflowTracing
{
    /// <summary>
    /// Starts the <c>workflow start {name}</c> producer span (a child of <see cref="Activity.Current"/>)
    /// when the Reactor source has a listener; null otherwise. It is current until disposed.
    /// </summary>
    public static Activity? StartWorkflow(string name, string id)
    {
        var source = ReactorTracing.Source;
        if (!source.HasListeners())
        {
            return null;
        }
        var activity = source.StartActivity("workflow start " + name, ActivityKind.Producer);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(ReactorTracing.WorkflowName, name);
            activity.SetTag(ReactorTracing.WorkflowId, id);
        }
        return activity;
    }

    /// <summary>
    /// The context to store with a new workflow: the start span's, else the caller's current activity
    /// (its app traces with another source), else none. A tracestate a node would refuse is left out.
    /// </summary>
    public static (string? TraceParent, string? TraceState) Capture(Activity? started)
    {
        var activity = started ?? Activity.Current;
        if (activity is null || activity.IdFormat != ActivityIdFormat.W3C || activity.Id is null)
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

    /// <summary>
    /// Starts the <c>workflow step {step}</c> internal span whose parent is the context stored with
    /// <paramref name="record"/>, so the job enqueued while it is current joins the workflow's trace.
    /// Null when nobody listens, the workflow has no stored context, or the stored one does not parse.
    /// </summary>
    public static Activity? StartStep(WorkflowRecord record, string step)
    {
        var source = ReactorTracing.Source;
        if (record.TraceParent is null || !source.HasListeners()
            || !ActivityContext.TryParse(record.TraceParent, record.TraceState, isRemote: true, out var parent))
        {
            return null;
        }
        var activity = source.StartActivity("workflow step " + step, ActivityKind.Internal, parent);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(ReactorTracing.WorkflowName, record.Name);
            activity.SetTag(ReactorTracing.WorkflowId, record.Id);
            activity.SetTag(ReactorTracing.WorkflowStep, step);
        }
        return activity;
    }
}
