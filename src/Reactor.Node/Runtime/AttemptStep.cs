namespace Reactor.Node.Runtime;

/// <summary>
/// One attempt of a job, as the loop's watchdog sees it. Whoever ends the attempt first wins: the
/// attempt itself when its code returns (<see cref="TryFinish"/>), or the watchdog when that code
/// held the loop past its timeout (<see cref="TryAbandon"/>). The loser touches nothing, which is
/// what keeps an abandoned thread that returns late from racing the new loop thread.
/// </summary>
internal sealed class AttemptStep(NodeJob job, int token, TimeSpan? timeout) : ILoopStep
{
    private const int Running = 0;
    private const int Finished = 1;
    private const int AbandonedState = 2;
    private int _state;

    public NodeJob Job { get; } = job;

    /// <summary>The attempt's <see cref="NodeJob.AttemptToken"/>.</summary>
    public int Token { get; } = token;

    /// <inheritdoc />
    public TimeSpan? Timeout { get; } = timeout;

    public bool Abandoned => Volatile.Read(ref _state) == AbandonedState;

    /// <summary>
    /// Set when the attempt's token fired and its code did not end within <see cref="NodeOptions.CancellationGrace"/>:
    /// the attempt ends without it, and its callbacks must not run when it finally returns.
    /// </summary>
    public bool Orphaned
    {
        get => Volatile.Read(ref _orphaned);
        set => Volatile.Write(ref _orphaned, value);
    }

    private bool _orphaned;

    public bool TryFinish() => Interlocked.CompareExchange(ref _state, Finished, Running) == Running;

    public bool TryAbandon() => Interlocked.CompareExchange(ref _state, AbandonedState, Running) == Running;
}
