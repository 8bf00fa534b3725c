namespace Reactor;

/// <summary>
/// A job's final result, as <c>EnqueueAsync</c> returns it, <c>OnResult</c> handlers get it and
/// <c>GetResultAsync</c> reads it back. The feedback lambdas of <c>Enqueue</c> see the same outcome: the
/// success lambda runs exactly when <see cref="Outcome"/> is <see cref="JobOutcome.Succeeded"/>.
/// </summary>
/// <param name="JobId">The job's id.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="Args">
/// The args as the node left them. When the job did not succeed they hold <see cref="Error"/> under
/// <c>"error"</c> (the same text: the distributor writes it there from the result).
/// </param>
/// <param name="Error">Why the job failed or was cancelled; null exactly when it succeeded.</param>
public sealed record JobResult(string JobId, JobOutcome Outcome, JobArgs Args, string? Error)
{
    /// <summary>
    /// Why it ended so, for a program to test without parsing <see cref="Error"/>: for example
    /// <see cref="JobOutcomeReason.TimedOut"/> or <see cref="JobOutcomeReason.CancelledByJob"/>.
    /// <see cref="JobOutcomeReason.Unspecified"/> when a protocol version 1 node did not say.
    /// </summary>
    public JobOutcomeReason Reason { get; init; }

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
