using System.Diagnostics;

namespace Reactor.Protocol.Diagnostics;

/// <summary>
/// The one <see cref="ActivitySource"/> of Reactor, shared by the distributor (producer spans) and the
/// node (consumer spans), and the names of the tags they set. Listen to <see cref="SourceName"/>
/// (OpenTelemetry: <c>AddSource("Reactor")</c>) to record them; with no listener no span is created
/// and tracing costs nothing on the job path. See docs/observability.md.
/// </summary>
public static class ReactorTracing
{
    /// <summary>The name of the source: <c>Reactor</c>.</summary>
    public const string SourceName = "Reactor";

    /// <summary>The source every Reactor span comes from; its version is the Reactor.Protocol assembly version.</summary>
    public static ActivitySource Source { get; } =
        new(SourceName, typeof(ReactorTracing).Assembly.GetName().Version?.ToString());

    /// <summary>
    /// Longest <c>traceparent</c> or <c>tracestate</c> accepted from a peer, in UTF-8 bytes: a receiver ignores
    /// a longer one (the job runs without a parent). A W3C traceparent has 55 characters; W3C caps tracestate at 512.
    /// </summary>
    public const int MaxTraceContextBytes = 512;

    /// <summary><c>messaging.system</c>: always <c>reactor</c>.</summary>
    public const string MessagingSystem = "messaging.system";

    /// <summary><c>messaging.operation.type</c>: <c>send</c> on producer spans, <c>process</c> on consumer spans.</summary>
    public const string MessagingOperationType = "messaging.operation.type";

    /// <summary><c>messaging.operation.name</c>: <c>publish</c> or <c>process</c>.</summary>
    public const string MessagingOperationName = "messaging.operation.name";

    /// <summary><c>messaging.destination.name</c>: the job name.</summary>
    public const string MessagingDestination = "messaging.destination.name";

    /// <summary><c>messaging.message.id</c>: the job id.</summary>
    public const string MessagingMessageId = "messaging.message.id";

    /// <summary><c>reactor.job.name</c>: the job name.</summary>
    public const string JobName = "reactor.job.name";

    /// <summary><c>reactor.job.id</c>: the job id.</summary>
    public const string JobId = "reactor.job.id";

    /// <summary><c>reactor.job.attempt</c>: the attempt a consumer span runs, counting from 1.</summary>
    public const string JobAttempt = "reactor.job.attempt";

    /// <summary><c>reactor.job.outcome</c>: how the attempt ended: <c>success</c>, <c>retry</c>, <c>error</c> or <c>cancelled</c>.</summary>
    public const string JobOutcome = "reactor.job.outcome";

    /// <summary><c>reactor.node.name</c>: the node that runs the job.</summary>
    public const string NodeName = "reactor.node.name";

    /// <summary><c>reactor.job.parent_id</c>: on a fork/join task's producer span, the job that published it.</summary>
    public const string ParentJobId = "reactor.job.parent_id";

    /// <summary><c>reactor.workflow.name</c>: on workflow spans, the workflow definition's name.</summary>
    public const string WorkflowName = "reactor.workflow.name";

    /// <summary><c>reactor.workflow.id</c>: on workflow spans, the workflow's id.</summary>
    public const string WorkflowId = "reactor.workflow.id";

    /// <summary><c>reactor.workflow.step</c>: on a <c>workflow step</c> span, the step whose task it enqueues.</summary>
    public const string WorkflowStep = "reactor.workflow.step";

    /// <summary><c>reactor.callback.name</c>: the callback or errback a child span runs.</summary>
    public const string CallbackName = "reactor.callback.name";
}
