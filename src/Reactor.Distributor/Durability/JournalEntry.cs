using MessagePack;

namespace Reactor.Distributor.Durability;

/// <summary>A job the distributor accepted and has not settled, as kept in Redis.</summary>
[MessagePackObject]
public sealed record JournalEntry(
    [property: Key(0)] byte[] DispatchFrame,
    [property: Key(1)] string? Node,
    [property: Key(2)] string? NotNode,
    [property: Key(3)] long DeadlineUnixMs)
{
    /// <summary>The job's own <c>EnqueueOptions.MaxDispatches</c> (0 = the distributor's default); absent in older entries.</summary>
    [Key(4)]
    public int MaxDispatches { get; init; }

    /// <summary>The job's <c>EnqueueOptions.UniqueKey</c>, released when a restarted app settles it; absent in older entries.</summary>
    [Key(5)]
    public string? UniqueKey { get; init; }

    /// <summary>The job's scheduling policies (priority, when its unique key goes); absent in older entries and for a job with the defaults.</summary>
    [Key(6)]
    public JournalScheduling? Scheduling { get; init; }

    /// <summary>
    /// The <c>EnqueueMany</c> batch the job belongs to (the batch's first job id), so a restarted app counts
    /// its outcome into the batch; absent for a single job and in older entries.
    /// </summary>
    [Key(7)]
    public string? BatchId { get; init; }
}

/// <summary>
/// The scheduling policies of a journaled job, in one nested map so later policies add fields here
/// instead of taking more keys of <see cref="JournalEntry"/>.
/// </summary>
[MessagePackObject]
public sealed record JournalScheduling
{
    /// <summary>The job's <c>EnqueueOptions.Priority</c> (0 normal, 1 high, -1 low).</summary>
    [Key(0)]
    public int Priority { get; init; }

    /// <summary>The job's <c>EnqueueOptions.UniqueUntil</c> (0 finish, 1 start).</summary>
    [Key(1)]
    public int UniqueUntil { get; init; }
}

/// <summary>A settled job's result, kept in Redis for <c>GetResultAsync</c> until it expires.</summary>
[MessagePackObject]
public sealed record StoredResult(
    [property: Key(0)] string JobId,
    [property: Key(1)] string Name,
    [property: Key(2)] int Outcome,
    [property: Key(3)] byte[] Args,
    [property: Key(4)] string? Error,
    [property: Key(5)] long FinishedUnixMs)
{
    /// <summary>The result's <see cref="JobOutcomeReason"/> as its integer value; 0 (unspecified) in results stored before it existed.</summary>
    [Key(6)]
    public int Reason { get; init; }
}
