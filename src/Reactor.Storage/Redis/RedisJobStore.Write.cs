using StackExchange.Redis;

namespace Reactor.Storage.Redis;

// Invariant: a record whose node field says N is in N's index. A job's hash and a node's index are
// different entities, which Redis Cluster may place on different servers, so no write spans both in
// one transaction; the order of single-key steps keeps the invariant instead:
// - a save indexes the id, then writes the hash, then indexes it again. The first entry covers a
//   crash right after the hash write; the second covers a reader that removed the entry as stale
//   between the first and the hash write;
// - anything that removes an index entry (a delete, a reader cleaning stale entries) removes it
//   first and then reads the record again: one that now names that node gets its entry back.
// So an entry is only ever missing while a writer or remover is between its steps. Deletes commit
// only while the node field is still what they read (WATCH, via a condition on the one key).
public sealed partial class RedisJobStore
{
    private const int MaxDeleteAttempts = 10;

    /// <inheritdoc />
    public async ValueTask SaveAsync(JobRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        cancellationToken.ThrowIfCancellationRequested();
        var jobKey = Keys.Job(record.Id);
        var fields = RedisRecordFormat.Write(record);
        // The status (and name) it leaves, for the dashboard's indexes (see RedisJobStore.Browse.cs).
        var previous = await _db.HashGetAsync(jobKey, [StatusField, NameField]).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var ttl = _options.CompletedRecordTtl;
        var expiresAt = record.IsFinished ? (now + ttl).ToUnixTimeMilliseconds() : double.PositiveInfinity;
        var what = $"save job {record.Id}";
        await IndexAsync(record.Node, record.Id, expiresAt, now, what).ConfigureAwait(false);
        var tx = _db.CreateTransaction();
        var steps = new List<Task>(3)
        {
            // Deleting first drops fields the new record leaves unset, and the TTL of a finished past.
            tx.KeyDeleteAsync(jobKey),
            tx.HashSetAsync(jobKey, fields),
        };
        if (record.IsFinished)
        {
            steps.Add(tx.KeyExpireAsync(jobKey, ttl));
        }
        await CommitAsync(tx, steps, what).ConfigureAwait(false);
        await IndexAsync(record.Node, record.Id, expiresAt, now, what).ConfigureAwait(false);
        await IndexStatusAsync(record, previous[0], previous[1], expiresAt, now).ConfigureAwait(false);
    }

    /// <summary>Adds (or re-scores) the id in the node's index and trims entries of expired records.</summary>
    private async Task IndexAsync(string node, string id, double expiresAt, DateTimeOffset now, string what)
    {
        var nodeKey = Keys.NodeJobs(node);
        var tx = _db.CreateTransaction();
        List<Task> steps =
        [
            tx.SortedSetAddAsync(nodeKey, id, expiresAt),
            // Trims entries whose records have expired, so the index stays as small as the records.
            tx.SortedSetRemoveRangeByScoreAsync(nodeKey, double.NegativeInfinity, now.ToUnixTimeMilliseconds(), Exclude.Stop),
        ];
        await CommitAsync(tx, steps, what).ConfigureAwait(false);
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
            // One HMGET: the node for the delete's condition and index, the name for the name index.
            var fields = await _db.HashGetAsync(jobKey, [NodeField, NameField]).ConfigureAwait(false);
            var node = fields[0];
            var ownedElsewhere = onlyOfNode is not null && !node.IsNull && node != onlyOfNode;
            var deleted = false;
            if (!ownedElsewhere)
            {
                var tx = _db.CreateTransaction();
                tx.AddCondition(NodeIs(jobKey, node));
                var deleting = tx.KeyDeleteAsync(jobKey);
                if (!await CommitAsync(tx, [deleting], $"delete job {id}").ConfigureAwait(false))
                {
                    LogWriteConflict(_logger, id, attempt);
                    if (attempt >= MaxDeleteAttempts)
                    {
                        throw new InvalidOperationException(
                            $"job {id} was changed by other writers during each of {MaxDeleteAttempts} attempts to delete it; giving up");
                    }
                    continue;
                }
                deleted = await deleting.ConfigureAwait(false);
                await UnindexStatusAsync(id, fields[1]).ConfigureAwait(false);
            }
            if (!node.IsNull && !ownedElsewhere)
            {
                await UnindexAsync(node.ToString(), [id]).ConfigureAwait(false);
            }
            if (onlyOfNode is not null && node != onlyOfNode)
            {
                await UnindexAsync(onlyOfNode, [id]).ConfigureAwait(false);
            }
            return deleted;
        }
    }

    /// <summary>
    /// Removes <paramref name="ids"/> from the node's index, then reads their records again and puts
    /// back the entry of any record that names the node (saved meanwhile), with the score a save gives it.
    /// </summary>
    private async Task UnindexAsync(string node, IReadOnlyCollection<string> ids)
    {
        var nodeKey = Keys.NodeJobs(node);
        await _db.SortedSetRemoveAsync(nodeKey, [.. ids.Select(id => (RedisValue)id)]).ConfigureAwait(false);
        var batch = _db.CreateBatch();
        var checks = ids.Where(id => id.Length > 0)
            .Select(id => (Id: id, Node: batch.HashGetAsync(Keys.Job(id), NodeField), Ttl: batch.KeyTimeToLiveAsync(Keys.Job(id))))
            .ToList();
        batch.Execute();
        var now = _time.GetUtcNow();
        foreach (var (id, owner, ttl) in checks)
        {
            if (await owner.ConfigureAwait(false) != node)
            {
                continue;
            }
            var remaining = await ttl.ConfigureAwait(false);
            var score = remaining is { } left ? (now + left).ToUnixTimeMilliseconds() : double.PositiveInfinity;
            await _db.SortedSetAddAsync(nodeKey, id, score).ConfigureAwait(false);
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
