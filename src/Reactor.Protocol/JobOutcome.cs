namespace Reactor;

/// <summary>
/// How a job ended: the one answer the node decides, the <c>Result</c> frame carries (its <c>Outcome</c>
/// field, these integer values), the distributor records and the application sees, in
/// <c>JobResult.Outcome</c> and in which feedback lambda runs. Wire values never change.
/// </summary>
public enum JobOutcome
{
    /// <summary>The job and all its callbacks ran without an error (wire value 0).</summary>
    Succeeded = 0,
    /// <summary>
    /// The job did not do its work: its last attempt failed (an error, a timeout), it could not run or
    /// report, or no node could take it. The error text says why (wire value 1).
    /// </summary>
    Failed = 1,
    /// <summary>
    /// The job was stopped on purpose: by the application (<c>Cancel</c>), or by its own code or an
    /// errback throwing <c>CancelJob</c>. It is not retried and a periodic job runs no more (wire value 2).
    /// </summary>
    Cancelled = 2,
}

/// <summary>
/// Why a job ended as it did: a detail of <see cref="JobOutcome"/> that a program can test without parsing
/// the error text. Values 1-9 travel in the <c>Result</c> frame (protocol version 2, key 6); the rest are
/// decided by the distributor for jobs that never got a node's result. Values never change.
/// </summary>
public enum JobOutcomeReason
{
    /// <summary>Not said: the result came from a node that speaks protocol version 1, or from before this field existed.</summary>
    Unspecified = 0,
    /// <summary><see cref="JobOutcome.Succeeded"/>: the job and its callbacks ran.</summary>
    Completed = 1,
    /// <summary><see cref="JobOutcome.Failed"/>: job code or a callback failed on the last attempt.</summary>
    Threw = 2,
    /// <summary><see cref="JobOutcome.Failed"/>: the last attempt did not finish within the job's timeout.</summary>
    TimedOut = 3,
    /// <summary><see cref="JobOutcome.Failed"/>: job code blocked the node's job loop past its limit; not retried.</summary>
    BlockedLoop = 4,
    /// <summary><see cref="JobOutcome.Failed"/>: the node has no job of that name.</summary>
    UnknownJob = 5,
    /// <summary><see cref="JobOutcome.Failed"/>: the job's args could not be sent back (not encodable, or too big).</summary>
    Unsendable = 6,
    /// <summary><see cref="JobOutcome.Cancelled"/>: the application cancelled the job.</summary>
    CancelledByApplication = 7,
    /// <summary><see cref="JobOutcome.Cancelled"/>: job code or a callback threw <c>CancelJob</c>.</summary>
    CancelledByJob = 8,
    /// <summary><see cref="JobOutcome.Cancelled"/>: an errback threw <c>CancelJob</c> after a failed attempt.</summary>
    CancelledByErrback = 9,
    /// <summary><see cref="JobOutcome.Failed"/>, decided by the distributor: no node took the job before its pending timeout.</summary>
    NotDispatched = 10,
    /// <summary><see cref="JobOutcome.Failed"/>, decided by the distributor: every node the job ran on was lost (<c>MaxDispatches</c>).</summary>
    NodesLost = 11,
    /// <summary><see cref="JobOutcome.Failed"/>, decided by the distributor: it stopped before the job's result was recorded.</summary>
    DistributorStopped = 12,
    /// <summary><see cref="JobOutcome.Failed"/>, decided by the distributor: its journal refused the job, so it was never sent.</summary>
    NotRecorded = 13,
}

/// <summary>Which <see cref="JobOutcomeReason"/> goes with which <see cref="JobOutcome"/>, and which travel on the wire.</summary>
public static class JobOutcomeReasons
{
    /// <summary>The outcome <paramref name="reason"/> belongs to; null for <see cref="JobOutcomeReason.Unspecified"/> or an unknown value.</summary>
    public static JobOutcome? OutcomeOf(JobOutcomeReason reason) => reason switch
    {
        JobOutcomeReason.Completed => JobOutcome.Succeeded,
        JobOutcomeReason.CancelledByApplication or JobOutcomeReason.CancelledByJob or JobOutcomeReason.CancelledByErrback => JobOutcome.Cancelled,
        >= JobOutcomeReason.Threw and <= JobOutcomeReason.NotRecorded => JobOutcome.Failed,
        _ => null,
    };

    /// <summary>True for the reasons a node may send in a <c>Result</c> (1-9).</summary>
    public static bool IsNodeReason(JobOutcomeReason reason) =>
        reason is >= JobOutcomeReason.Completed and <= JobOutcomeReason.CancelledByErrback;

    /// <summary>
    /// <paramref name="reason"/> when it names a cause of <paramref name="outcome"/> that a node may send,
    /// otherwise <see cref="JobOutcomeReason.Unspecified"/>: the outcome is what counts, the reason only details it.
    /// </summary>
    public static JobOutcomeReason Fitting(JobOutcome outcome, JobOutcomeReason reason) =>
        IsNodeReason(reason) && OutcomeOf(reason) == outcome ? reason : JobOutcomeReason.Unspecified;
}
