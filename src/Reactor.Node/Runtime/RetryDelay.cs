namespace Reactor.Node.Runtime;

/// <summary>The delay before attempt <c>attempt + 1</c>, after attempt <c>attempt</c> failed.</summary>
internal static class RetryDelay
{
    private static readonly TimeSpan Cap = TimeSpan.FromHours(1);

    /// <param name="backoff">The policy.</param>
    /// <param name="attempt">The attempt that just failed (1-based).</param>
    /// <param name="multiplier">The delay unit.</param>
    /// <param name="jitter">A sample in [0, 1); injected so tests are deterministic.</param>
    public static TimeSpan Compute(RetryBackoff backoff, int attempt, TimeSpan multiplier, double jitter)
    {
        if (attempt < 1 || multiplier <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }
        if (backoff == RetryBackoff.Linear)
        {
            return Min(multiplier * attempt, Cap);
        }
        var exponential = Min(multiplier * Math.Pow(2, Math.Min(attempt - 1, 30)), Cap);
        // "Equal jitter": at least half the delay always passes, the rest is random, so retries
        // of jobs that failed together (a shared dependency went down) do not return together.
        return (exponential / 2) + (exponential / 2 * jitter);
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
