namespace Reactor.Storage;

/// <summary>
/// Where a node keeps its jobs. Implementations: <see cref="MemoryJobStore"/> (default, lost with
/// the process) and the Redis store (survives restarts, shared by several nodes). All members are
/// safe to call from any thread.
/// </summary>
public interface IJobStore : IAsyncDisposable
{
    /// <summary>"memory" or "redis"; sent to the distributor in the handshake.</summary>
    string Kind { get; }

    /// <summary>
    /// True when records outlive the process (Redis), false when they are lost with it (memory).
    /// The node asks this instead of testing the store's type: a non-durable store is the node's own
    /// job table, so it skips the writes and the resume that only a durable store makes useful.
    /// The default is true because a store outside this library was always treated as durable.
    /// </summary>
    bool IsDurable => true;

    /// <summary>Inserts or replaces the record and indexes it under its node.</summary>
    ValueTask SaveAsync(JobRecord record, CancellationToken cancellationToken = default);

    /// <summary>The record with this id, or null.</summary>
    ValueTask<JobRecord?> LoadAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Removes the record and its index entry; false when it did not exist.</summary>
    ValueTask<bool> DeleteAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Every record held for <paramref name="node"/>.</summary>
    ValueTask<IReadOnlyList<JobRecord>> JobsForAsync(string node, CancellationToken cancellationToken = default);

    /// <summary>
    /// Completes when the store answers (a round trip for a remote store), throws when it cannot be
    /// reached; health checks call it. The default, for stores in the process, completes at once.
    /// </summary>
    ValueTask PingAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    /// <summary>Removes every record of <paramref name="node"/>; returns how many were removed.</summary>
    ValueTask<int> DeleteAllForAsync(string node, CancellationToken cancellationToken = default);
}
