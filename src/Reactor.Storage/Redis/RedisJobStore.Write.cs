using StackExchange.Redis;

namespace Reactor.Storage.Redis;

// Invariant: a record whose node field says N is in N's index. A save keeps it by writing the hash and
// adding the id to its node's index in one transaction; the last save to commit wins both. An entry
// left in another node's index by racing saves is harmless: readers skip and remove entries whose
// record names another node. Deletes must not break the invariant with a removal based on a stale
// read, so they commit only while the node field is still what they read (WATCH, via a condition).
public sealed partial class RedisJobStore
{
    private const int MaxDeleteAttempts = 10;

    /// <inheritdoc />
    public async ValueTask SaveAsync(JobRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        cancellationToken.ThrowIfCancellationRequested();
        var jobKey = Keys.Job(record.Id);
        var nodeKey = Keys.NodeJobs(record.Node);
        var fields = RedisRecordFormat.Write(record);
        var previous = await _db.HashGetAsync(jobKey, [NodeField, StatusField]).ConfigureAwait(false);
        var previousNode = previous[0];
        var now = _time.GetUtcNow();
        var tx = _db.CreateTransaction();
        var steps = new List<Task>(10)
        {
            // Deleting first drops fields the new record leaves unset, and the TTL of a finished past.
            tx.KeyDeleteAsync(jobKey),
            tx.HashSetAsync(jobKey, fields),
        };
        if (!previousNode.IsNull && previousNode != record.Node)
        {
            steps.Add(tx.SortedSetRemoveAsync(Keys.NodeJobs(previousNode.ToString()), record.Id));
        }
        var ttl = _options.CompletedRecordTtl;
        var expiresAt = record.IsFinished ? (now + ttl).ToUnixTimeMilliseconds() : double.PositiveInfinity;
        steps.Add(tx.SortedSetAddAsync(nodeKey, record.Id, expiresAt));
        // Trims entries whose records have expired, so the index stays as small as the records.
        steps.Add(tx.SortedSetRemoveRangeByScoreAsync(nodeKey, double.NegativeInfinity, now.ToUnixTimeMilliseconds(), Exclude.Stop));
        if (record.IsFinished)
        {
            steps.Add(tx.KeyExpireAsync(jobKey, ttl));
        }
        IndexStatus(tx, steps, record, previous[1], now);
        await CommitAsync(tx, steps, $"save job {record.Id}").ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask<bool> DeleteAsync(string id, CancellationToken cancellationToken = default) =>
        new(DeleteCoreAsync(id, onlyOfNode: null, cancellationToken));

    /// <inheritdoc />
    public async ValueTask<int> DeleteAllForAsync(string node, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(node);
        var nodeKey = Keys.NodeJobs(node);
        var ids = (await _db.SortedSetRangeByRankAsync(nodeKey).WaitAsync(cancellationToken).ConfigureAwait(false))
            .Select(id => id.ToString()).ToList();
        if (ids.RemoveAll(id => id.Length == 0) > 0)
        {
            // No record can have an empty id; such an entry was written by hand and names nothing.
            await _db.SortedSetRemoveAsync(nodeKey, "").ConfigureAwait(false);
        }
        var removed = 0;
        foreach (var chunk in ids.Chunk(ReadBatchSize))
        {
            var deleted = await Task.WhenAll(chunk.Select(id => DeleteCoreAsync(id, node, cancellationToken))).ConfigureAwait(false);
            removed += deleted.Count(d => d);
        }
        return removed;
    }

    /// <summary>
    /// Deletes the record and its index entry. With <paramref name="onlyOfNode"/>, a record that now
    /// belongs to another node is left alone and only its stale entry in that node's index goes.
    /// </summary>
    private async Task<bool> DeleteCoreAsync(string id, string? onlyOfNode, CancellationToken cancellationToken)
    {
        var jobKey = Keys.Job(id);
        for (var attempt = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var node = await _db.HashGetAsync(jobKey, NodeField).ConfigureAwait(false);
            var tx = _db.CreateTransaction();
            tx.AddCondition(NodeIs(jobKey, node));
            var ownedElsewhere = onlyOfNode is not null && !node.IsNull && node != onlyOfNode;
            var deleted = ownedElsewhere ? Task.FromResult(false) : tx.KeyDeleteAsync(jobKey);
            var steps = new List<Task>(4) { deleted };
            if (!ownedElsewhere)
            {
                UnindexStatus(tx, steps, id);
            }
            if (!node.IsNull && !ownedElsewhere)
            {
                steps.Add(tx.SortedSetRemoveAsync(Keys.NodeJobs(node.ToString()), id));
            }
            if (onlyOfNode is not null && node != onlyOfNode)
            {
                steps.Add(tx.SortedSetRemoveAsync(Keys.NodeJobs(onlyOfNode), id));
            }
            if (await CommitAsync(tx, steps, $"delete job {id}").ConfigureAwait(false))
            {
                return await deleted.ConfigureAwait(false);
            }
            LogWriteConflict(_logger, id, attempt);
            if (attempt >= MaxDeleteAttempts)
            {
                throw new InvalidOperationException(
                    $"job {id} was changed by other writers during each of {MaxDeleteAttempts} attempts to delete it; giving up");
            }
        }
    }

    private static Condition NodeIs(RedisKey jobKey, RedisValue node) =>
        node.IsNull ? Condition.HashNotExists(jobKey, NodeField) : Condition.HashEqual(jobKey, NodeField, node);

    private async Task<bool> CommitAsync(ITransaction tx, List<Task> steps, string what)
    {
        try
        {
            var committed = await tx.ExecuteAsync().ConfigureAwait(false);
            if (!committed)
            {
                Observe(steps);
            }
            return committed;
        }
        catch (RedisServerException e) when (IsRefusedWrite(e))
        {
            Observe(steps);
            throw await RefusedAsync(what, e).ConfigureAwait(false);
        }
        catch
        {
            Observe(steps);
            throw;
        }
    }

    // The queued steps of a transaction that did not commit end cancelled or faulted; nobody awaits
    // them, so their exceptions are observed here instead of surfacing as unobserved task exceptions.
    private static void Observe(List<Task> steps)
    {
        foreach (var step in steps)
        {
            _ = step.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }
}
