namespace Reactor.Storage.Redis;

/// <summary>
/// Connecting to Redis at start without giving up: an unreachable Redis is reported (the caller logs it)
/// and tried again with doubling delays (0.5 s up to 10 s), so a node or
/// distributor may start before its Redis. Only a stop (the token) ends the wait. Public for the
/// distributor's journal and the node's store, which both start this way.
/// </summary>
public static class RedisRetry
{
    private static readonly TimeSpan First = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan Longest = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Calls <paramref name="connect"/> until it returns. Each <see cref="InvalidOperationException"/> (unreachable,
    /// authentication failed) is passed to <paramref name="report"/> with the delay before the next try;
    /// anything else (a malformed address) is thrown at once.
    /// </summary>
    public static async Task<T> UntilConnectedAsync<T>(Func<CancellationToken, Task<T>> connect, Action<string, TimeSpan> report,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var delay = First;
        while (true)
        {
            try
            {
                return await connect(cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidOperationException e)
            {
                // ConnectAsync's "unreachable" and "authentication failed" errors; a malformed
                // address is an ArgumentException and is not retried.
                report(e.Message, delay);
            }
            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            delay = delay * 2 < Longest ? delay * 2 : Longest;
        }
    }
}
