namespace Reactor.Storage;

/// <summary>One failed attempt of a job, as kept in <see cref="JobRecord.FailedAttempts"/>.</summary>
/// <param name="Attempt">The attempt's number (1 for the first) within its run.</param>
/// <param name="At">When the attempt failed.</param>
/// <param name="Error">
/// The exception as text: <c>Type: message</c> on the first line, then the stack (and any inner
/// exceptions), cut to <see cref="JobRecord.MaxAttemptErrorLength"/> characters.
/// </param>
public sealed record JobAttemptError(int Attempt, DateTimeOffset At, string Error);
