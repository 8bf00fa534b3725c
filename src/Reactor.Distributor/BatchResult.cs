namespace Reactor;

/// <summary>
/// How a batch from <see cref="ReactorDistributor.EnqueueMany"/> ended: every job counted once, by its final
/// <see cref="JobResult.Outcome"/>, the same outcome that picked the job's own lambda.
/// </summary>
/// <param name="Total">Jobs in the batch.</param>
/// <param name="Succeeded">Jobs that succeeded.</param>
/// <param name="Failed">Jobs that failed (last attempt, waiting timeout, lost too often).</param>
/// <param name="Cancelled">Jobs cancelled by the application or by their own code.</param>
public sealed record BatchResult(int Total, int Succeeded, int Failed, int Cancelled);
