namespace Reactor;

/// <summary>How and where one job runs. Everything is optional: a job with no options runs now on any free node.</summary>
public sealed record EnqueueOptions
{
    /// <summary>Run after this delay (sub-second delays are honoured).</summary>
    public TimeSpan? After { get; init; }

    /// <summary>Run at this absolute time; it stays absolute however long the job waits. In the past means now.</summary>
    public DateTimeOffset? RunAt { get; init; }

    /// <summary>Run every period, each run sending a success feedback, until cancelled. With After/RunAt the first run waits for them.</summary>
    public TimeSpan? Period { get; init; }

    /// <summary>Run the job body on the node's thread pool (bounded) instead of its reactor loop: for blocking work.</summary>
    public bool Defer { get; init; }

    /// <summary>Prefer this node (see <see cref="DistributorOptions.AlwaysUseSpecifiedNode"/>).</summary>
    public string? Node { get; init; }

    /// <summary>Never run on this node.</summary>
    public string? NotNode { get; init; }

    /// <summary>Attempts allowed (per run for periodic jobs), overriding the node's default.</summary>
    public int? MaxAttempt { get; init; }

    /// <summary>Retry delay unit, overriding the node's default.</summary>
    public TimeSpan? RetryMultiplier { get; init; }

    /// <summary>
    /// How many nodes may be lost while running this job before it fails instead of being dispatched
    /// again, overriding <see cref="DistributorOptions.MaxDispatches"/>. Not kept by the durable
    /// journal: a job recovered after an application restart uses the distributor's default.
    /// </summary>
    public int? MaxDispatches { get; init; }

    /// <summary>
    /// Longest one attempt may run on a node before it counts as failed; also how long the job may
    /// wait for a node that can take it before it fails with an error feedback. Job code that blocks
    /// the node's reactor thread past it (no <see cref="Defer"/>) fails for good, without a retry,
    /// and the node moves its loop to a fresh thread.
    /// </summary>
    public TimeSpan? Timeout { get; init; }

    internal void Validate()
    {
        if (Period is { } period && period <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Period), period, "Period must be positive");
        }
        if (After is { } after && after < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(After), after, "After must not be negative");
        }
        if (After is not null && RunAt is not null)
        {
            throw new ArgumentException("give After or RunAt, not both");
        }
        if (MaxAttempt is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxAttempt), MaxAttempt, "MaxAttempt must be at least 1");
        }
        if (MaxDispatches is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxDispatches), MaxDispatches, "MaxDispatches must be at least 1");
        }
        if (RetryMultiplier is { } multiplier && multiplier < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(RetryMultiplier), multiplier, "RetryMultiplier must not be negative");
        }
        if (Timeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Timeout), timeout, "Timeout must be positive");
        }
        if (Node is not null && Node == NotNode)
        {
            throw new ArgumentException($"Node and NotNode both name '{Node}'");
        }
    }
}
