using Reactor.Node.Links;
using Reactor.Storage;

namespace Reactor.Node.Runtime;

/// <summary>A job held by this node. Owned by the reactor loop: no other thread touches it.</summary>
internal sealed class NodeJob(JobRecord record, JobArgs originalArgs, DistributorLink? link)
{
    public JobRecord Record { get; } = record;

    /// <summary>Each attempt and each periodic run starts from these, so one attempt's leftovers never leak into the next.</summary>
    public JobArgs OriginalArgs { get; } = originalArgs;

    /// <summary>
    /// Where results and publishes go: the connection (and distributor) that sent the job, or the one
    /// that re-sent it (adoption). Null for a job resumed from storage until a link to its distributor
    /// comes up: its messages wait in <see cref="Waiting"/> meanwhile. Written on the loop under the
    /// node's route lock, after the waiting messages were flushed, so a reader that sees it set
    /// sends behind them.
    /// </summary>
    public DistributorLink? Link { get; set; } = link;

    /// <summary>The link generation the job belongs to; a job from an older generation was re-dispatched elsewhere.</summary>
    public int LinkGeneration { get; set; }

    /// <summary>Messages of a resumed job whose distributor has no live link yet, in send order (route lock).</summary>
    public List<Protocol.Messages.IReactorMessage> Waiting { get; } = [];

    /// <summary>
    /// The connection this attempt's first publish went on (route lock). An attempt whose publishes went
    /// on a connection that has since dropped or been replaced may have lost some of them, so its
    /// outcome is void: the distributor's newer dispatch owns the job.
    /// </summary>
    public DistributorLink? PublishedOn { get; set; }

    /// <summary>The generation of <see cref="PublishedOn"/>.</summary>
    public int PublishedGeneration { get; set; }

    /// <summary>True once this attempt published (its publishes may still wait in <see cref="Waiting"/>).</summary>
    public bool Published { get; set; }

    public string Id => Record.Id;

    /// <summary>The slot the current run was due at; periodic runs keep to slots spaced by the period.</summary>
    public DateTimeOffset? DueAt { get; set; }

    public bool Running { get; set; }

    /// <summary>When the current attempt started (a <c>TimeProvider</c> timestamp), for the logged duration.</summary>
    public long AttemptStarted { get; set; }

    public bool CancelRequested { get; set; }

    /// <summary>Set once the job has been forgotten; a timer firing for it later does nothing.</summary>
    public bool Ended { get; set; }

    /// <summary>A dispatched job holds one credit until it finishes or first parks on a timer.</summary>
    public bool CreditReturned { get; set; }

    /// <summary>The last store write issued for this job; the next one waits for it (Redis only).</summary>
    public Task StoreTail { get; set; } = Task.CompletedTask;

    /// <summary>The W3C traceparent the Dispatch carried (null when it had none, or the job was resumed from storage).</summary>
    public string? TraceParent { get; init; }

    /// <summary>The tracestate that came with <see cref="TraceParent"/>.</summary>
    public string? TraceState { get; init; }

    /// <summary>The running attempt's consumer span; null when nobody listens to the Reactor source.</summary>
    public System.Diagnostics.Activity? Span { get; set; }

    /// <summary>The running attempt's token, progress gate and DI scope; null between attempts.</summary>
    public AttemptRun? Run { get; set; }

    /// <summary>Bumped per attempt so a timed-out attempt that finishes late is recognised and ignored.</summary>
    public int AttemptToken { get; set; }
}
