namespace Reactor;

/// <summary>
/// The durable journal (<see cref="DistributorOptions.Redis"/>) did not acknowledge a new job, so
/// the job was not enqueued: nothing was sent to a node and no feedback will run. Typical causes:
/// Redis at <c>maxmemory</c>, unreachable for longer than its timeout, or the distributor stopping.
/// Enqueueing again once Redis recovers is safe.
/// </summary>
public sealed class JournalWriteException : Exception
{
    /// <summary>Creates the exception with the reason and the Redis error behind it, if any.</summary>
    public JournalWriteException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
