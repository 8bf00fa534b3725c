using StackExchange.Redis;

namespace Reactor.Storage.Redis;

public sealed partial class RedisJobStore
{
    // Bounds one pipelined batch, so a node with a million records does not queue a million
    // replies at once.
    private const int ReadBatchSize = 500;

    /// <inheritdoc />
    /// <remarks>
    /// Unreadable records are logged and left out. Index entries whose record has expired or moved to
    /// another node are removed on the way.
    /// </remarks>
    public async ValueTask<IReadOnlyList<JobRecord>> JobsForAsync(string node, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(node);
        var nodeKey = Keys.NodeJobs(node);
        var ids = await _db.SortedSetRangeByRankAsync(nodeKey).WaitAsync(cancellationToken).ConfigureAwait(false);
        var records = new List<JobRecord>(ids.Length);
        var stale = new List<string>();
        foreach (var chunk in ids.Select(id => id.ToString()).Chunk(ReadBatchSize))
        {
            var batch = _db.CreateBatch();
            var reads = chunk.Select(id => id.Length == 0 ? null : batch.HashGetAllAsync(Keys.Job(id))).ToArray();
            batch.Execute();
            await Task.WhenAll(reads.OfType<Task<HashEntry[]>>()).WaitAsync(cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < chunk.Length; i++)
            {
                var entries = reads[i]?.Result ?? [];
                var record = entries.Length == 0 ? null : TryRead(chunk[i], entries);
                if (entries.Length == 0 || record is not null && record.Node != node)
                {
                    stale.Add(chunk[i]);
                }
                else if (record is not null)
                {
                    records.Add(record);
                }
            }
        }
        if (stale.Count > 0)
        {
            await CleanIndexAsync(node, stale).ConfigureAwait(false);
        }
        return records;
    }

    /// <summary>
    /// Removes stale entries from the node's index; a record saved again meanwhile gets its entry back
    /// (see the ordering notes in RedisJobStore.Write.cs). A failure just leaves the entries for the
    /// next read to clean.
    /// </summary>
    private async Task CleanIndexAsync(string node, List<string> ids)
    {
        try
        {
            await UnindexAsync(node, ids).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisException or InvalidOperationException)
        {
            // The records were read; failing the read over housekeeping would help nobody.
            LogIndexCleanupFailed(_logger, node, e.Message);
        }
    }
}
