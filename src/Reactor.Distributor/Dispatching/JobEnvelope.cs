using Reactor.Protocol.Messages;

namespace Reactor.Distribution;

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

    /// <summary>Its place in the pending queue while it waits, for O(1) removal on cancel or timeout.</summary>
    public LinkedListNode<JobEnvelope>? PendingEntry { get; set; }

    /// <summary>The session running it, while it is on a node.</summary>
    public Sessions.NodeSession? Owner { get; set; }

    /// <summary>How many times it was dispatched (more than once after a node was lost).</summary>
    public int Dispatches { get; set; }
}
