namespace Reactor.Transport;

/// <summary>
/// A time limit on one phase of opening a link (dialling, TLS, the Greeting/Hello/Welcome exchange),
/// read from the injected <see cref="TimeProvider"/> so tests can move it, and linked to the caller's
/// stopping token. <see cref="Expired"/> tells a timeout apart from a shutdown.
/// </summary>
internal sealed class HandshakeDeadline : IDisposable
{
    private readonly CancellationTokenSource _limit;
    private readonly CancellationTokenSource _both;

    public HandshakeDeadline(TimeSpan timeout, TimeProvider time, CancellationToken stopping)
    {
        Timeout = timeout;
        _limit = new CancellationTokenSource(timeout, time);
        _both = CancellationTokenSource.CreateLinkedTokenSource(stopping, _limit.Token);
    }

    /// <summary>The limit this deadline was set with.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Cancelled when the time is up or the caller stops.</summary>
    public CancellationToken Token => _both.Token;

    /// <summary>True when the time ran out (as opposed to the caller stopping).</summary>
    public bool Expired => _limit.IsCancellationRequested;

    public void Dispose()
    {
        _both.Dispose();
        _limit.Dispose();
    }
}
