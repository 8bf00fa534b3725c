using Reactor.Node.Links;
using Reactor.Storage;

namespace Reactor.Node.Runtime;

/// <summary>A job held by this node. Owned by the reactor loop: no other thread touches it.</summary>
internal sealed class NodeJob(JobRecord record, JobArgs originalArgs, DistributorLink link)
{
    public JobRecord Record { get; } = record;

    /// <summary>Each attempt and each periodic run starts from these, so one attempt's leftovers never leak into the next.</summary>
    public JobArgs OriginalArgs { get; } = originalArgs;

    /// <summary>Where results go: the connection (and distributor) that sent the job.</summary>
    public DistributorLink Link { get; } = link;

    /// <summary>The link generation the job arrived on; a job from an older generation was re-dispatched elsewhere.</summary>
    public int LinkGeneration { get; init; }

    public string Id => Record.Id;

    /// <summary>The slot the current run was due at; periodic runs keep to slots spaced by the period.</summary>
    public DateTimeOffset? DueAt { get; set; }

    public bool Running { get; set; }

    public bool CancelRequested { get; set; }

    /// <summary>Set once the job has been forgotten; a timer firing for it later does nothing.</summary>
    public bool Ended { get; set; }

    /// <summary>A dispatched job holds one credit until it finishes or first parks on a timer.</summary>
    public bool CreditReturned { get; set; }

    /// <summary>The last store write issued for this job; the next one waits for it (Redis only).</summary>
    public Task StoreTail { get; set; } = Task.CompletedTask;

    /// <summary>Bumped per attempt so a timed-out attempt that finishes late is recognised and ignored.</summary>
    public int AttemptToken { get; set; }
}
