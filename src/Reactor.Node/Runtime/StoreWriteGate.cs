namespace Reactor.Node.Runtime;

/// <summary>
/// Counts a node's job-record writes in flight (queued behind a job's earlier write or waiting for the
/// store) against <see cref="NodeOptions.MaxPendingStoreWrites"/>. At the bound the node withholds the
/// credit it owes its distributors, so new work waits there instead of piling writes on a store that is
/// not keeping up; below it again, the withheld credit goes out. Thread-safe: writes start on the
/// reactor loop and finish on the thread pool.
/// </summary>
internal sealed class StoreWriteGate(int bound)
{
    private int _pending;

    public int Bound { get; } = bound;

    public int Pending => Volatile.Read(ref _pending);

    /// <summary>True while the writes in flight are at the bound or past it: credit is withheld.</summary>
    public bool IsFull => Volatile.Read(ref _pending) >= Bound;

    /// <summary>Counts a write that starts; true when this one brought the count to the bound.</summary>
    public bool Begin() => Interlocked.Increment(ref _pending) == Bound;

    /// <summary>Counts a write that ended (written, or given up); true when this one brought the count below the bound.</summary>
    public bool End() => Interlocked.Decrement(ref _pending) == Bound - 1;
}
