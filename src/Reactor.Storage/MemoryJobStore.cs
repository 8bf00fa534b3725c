using System.Collections.Concurrent;

namespace Reactor.Storage;

/// <summary>
/// Keeps records in process memory. Nothing survives a restart; the distributor re-dispatches a
/// lost node's unfinished jobs instead (see docs/reliability.md).
/// </summary>
public sealed class MemoryJobStore : IJobStore
{
    private readonly ConcurrentDictionary<string, JobRecord> _records = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public string Kind => "memory";

    /// <inheritdoc />
    public bool IsDurable => false;

    /// <summary>Number of records held.</summary>
    public int Count => _records.Count;

    /// <inheritdoc />
    public ValueTask SaveAsync(JobRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        _records[record.Id] = record;
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<JobRecord?> LoadAsync(string id, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_records.GetValueOrDefault(id));

    /// <inheritdoc />
    public ValueTask<bool> DeleteAsync(string id, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_records.TryRemove(id, out _));

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<JobRecord>> JobsForAsync(string node, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<IReadOnlyList<JobRecord>>(_records.Values.Where(r => r.Node == node).ToList());

    /// <inheritdoc />
    public ValueTask<int> DeleteAllForAsync(string node, CancellationToken cancellationToken = default)
    {
        var removed = 0;
        foreach (var record in _records.Values.Where(r => r.Node == node))
        {
            if (_records.TryRemove(record.Id, out _))
            {
                removed++;
            }
        }
        return ValueTask.FromResult(removed);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
