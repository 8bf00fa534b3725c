namespace Reactor;

/// <summary>How a job ended.</summary>
public enum JobOutcome
{
    /// <summary>The job and its callbacks ran; for a job that cancelled itself with <c>CancelJob</c>, too.</summary>
    Succeeded,
    /// <summary>The last attempt failed, or no node could take the job in time.</summary>
    Failed,
    /// <summary>Cancelled by the application or from an errback.</summary>
    Cancelled,
}

/// <summary>A job's final result, as <c>EnqueueAsync</c> returns it.</summary>
/// <param name="JobId">The job's id.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="Args">The args as the node left them (with <c>error</c> when it failed).</param>
/// <param name="Error">Why it failed or was cancelled; null on success.</param>
public sealed record JobResult(string JobId, JobOutcome Outcome, JobArgs Args, string? Error)
{
    /// <summary>True when <see cref="Outcome"/> is <see cref="JobOutcome.Succeeded"/>.</summary>
    public bool Succeeded => Outcome == JobOutcome.Succeeded;
}

/// <summary>What <c>Cancel</c> did.</summary>
public enum CancelResult
{
    /// <summary>No such job is pending or running: the id is unknown or the job already finished.</summary>
    NotFound,
    /// <summary>The job had not reached a node yet and is cancelled.</summary>
    Cancelled,
    /// <summary>The job is on a node, which was told to cancel it; the final feedback confirms.</summary>
    Requested,
}
