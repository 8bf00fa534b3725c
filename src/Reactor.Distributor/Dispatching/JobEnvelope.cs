using Reactor.Protocol.Messages;

namespace Reactor.Distributor;

/// <summary>
/// A job on the distributor side from <c>Enqueue</c> until its final result. The dispatch message is
/// built once and sent again as-is if the job has to go to another node.
/// </summary>
internal sealed class JobEnvelope(Dispatch dispatch, string? node, string? notNode, DateTimeOffset deadline)
{
    public Dispatch Dispatch { get; } = dispatch;

    public string Id => Dispatch.JobId;

    public string Name => Dispatch.Name;

    public string? Node { get; } = node;

    public string? NotNode { get; } = notNode;

    /// <summary>When a job still waiting for a node gives up.</summary>
    public DateTimeOffset Deadline { get; } = deadline;

    /// <summary>
    /// <see cref="TimeProvider.GetTimestamp"/> at Enqueue, for the queue-wait histogram; 0 when nobody
    /// listened then (the clock is not read for nothing).
    /// </summary>
    public long EnqueuedAt { get; init; }

    /// <summary>Its <c>EnqueueOptions.UniqueKey</c>, released when it settles; null for an ordinary job.</summary>
    public string? UniqueKey { get; init; }

    /// <summary>The <c>EnqueueMany</c> batch it belongs to when the journal tracks that batch in Redis; null otherwise.</summary>
    public string? BatchId { get; set; }

    /// <summary>Its <c>EnqueueOptions.Priority</c>, which orders it among the jobs waiting for credit.</summary>
    public JobPriority Priority { get; init; }

    /// <summary>How long its unique key is held at most.</summary>
    public TimeSpan UniqueFor { get; init; }

    /// <summary>Its <c>EnqueueOptions.UniqueUntil</c>: whether its key goes when it starts rather than when it settles.</summary>
    public UniqueUntil UniqueUntil { get; init; }

    /// <summary>
    /// Runs once, under the dispatcher's lock, the first time the job is handed to a node (a send, not a
    /// re-send after a lost node); must be brief and must not call the dispatcher. Null for most jobs.
    /// </summary>
    public Action<JobEnvelope>? OnFirstSend { get; set; }

    /// <summary>When it last entered the pending queue (for the age of the oldest waiting job).</summary>
    public DateTimeOffset PendingSince { get; set; }

    /// <summary>
    /// While it waits: since when nodes were connected but none announced its name. Cleared when a node
    /// that knows the name joins or every node leaves; past <c>UnknownJobTimeout</c> the job fails.
    /// </summary>
    public DateTimeOffset? UnknownSince { get; set; }

    /// <summary>Its place in the pending queue while it waits, for O(1) removal on cancel or timeout.</summary>
    public LinkedListNode<JobEnvelope>? PendingEntry { get; set; }

    /// <summary>The node holding it, while it is on one (the dispatcher's, under its lock).</summary>
    public NodeSlot? Owner { get; set; }

    /// <summary>
    /// True while it holds a slot of its name's <c>DistributorOptions.Limit</c> (from dispatch to its final
    /// result or the loss of its node); the dispatcher's, under its lock.
    /// </summary>
    public bool HoldsLimit { get; set; }

    /// <summary>How many times it was dispatched (more than once after a node was lost).</summary>
    public int Dispatches { get; set; }

    /// <summary>
    /// How many nodes were lost (closed without a Goodbye) while they held this job since it last
    /// made progress (a periodic run's result). Reaching <see cref="MaxDispatches"/> fails the job.
    /// </summary>
    public int Losses { get; set; }

    /// <summary>The node last lost while holding this job.</summary>
    public string? LostOn { get; set; }

    /// <summary>Losses allowed before the job fails (<c>EnqueueOptions.MaxDispatches</c>); 0 = the distributor's default.</summary>
    public int MaxDispatches { get; init; }

    /// <summary>
    /// A job whose node was lost is a suspect: it may have killed that node. A suspect travels alone
    /// (one per node, nothing sent after it) so that, if it kills again, it takes no innocent job along.
    /// </summary>
    public bool Suspect => Losses > 0;
}
