namespace Reactor;

/// <summary>One distributor link as a health check sees it.</summary>
/// <param name="Address">The distributor's address, <c>host:port</c>.</param>
/// <param name="Connected">True while the link is up (handshake done).</param>
/// <param name="LastError">Why the last attempt failed or the last connection ended; null while connected or before the first attempt ended.</param>
public sealed record DistributorLinkStatus(string Address, bool Connected, string? LastError);

// What health checks ask a node: its links, how late its loop runs, whether its storage answers.
public sealed partial class ReactorNode
{
    /// <summary>The state of each distributor link, in the order of <see cref="NodeOptions.Distributors"/>.</summary>
    public IReadOnlyList<DistributorLinkStatus> GetLinkStatus() =>
        _links.Select(l => new DistributorLinkStatus(l.Address.ToString(), l.IsConnected, l.LastError)).ToList();

    /// <summary>
    /// Posts a probe to the reactor loop and completes with how long it waited to run: the delay every
    /// job callback sees now. A loop held by blocking job code does not complete it; bound the wait
    /// with <c>WaitAsync</c>.
    /// </summary>
    public async Task<TimeSpan> MeasureLoopLagAsync(CancellationToken cancellationToken = default)
    {
        var started = _time.GetTimestamp();
        var ran = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        _loop.Post(() => ran.TrySetResult(_time.GetElapsedTime(started)));
        return await ran.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Null when the job storage answers; otherwise why not (still connecting to Redis at start, or a
    /// failed round trip). Memory storage always answers.
    /// </summary>
    public async Task<string?> CheckStorageAsync(CancellationToken cancellationToken = default)
    {
        if (_store is not { } store)
        {
            return $"{_options.Storage} storage is not connected yet";
        }
        try
        {
            await store.PingAsync(cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return $"{store.Kind} storage did not answer: {e.Message}";
        }
    }
}
