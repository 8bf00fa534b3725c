namespace Reactor;

/// <summary>How far a running job got, as its code reported it.</summary>
/// <param name="JobId">The job's id.</param>
/// <param name="Attempt">The attempt that reported it (a retry starts again from its own first report).</param>
/// <param name="Fraction">From 0 to 1.</param>
/// <param name="Message">What the job is doing, or null.</param>
public sealed record JobProgress(string JobId, int Attempt, double Fraction, string? Message);
