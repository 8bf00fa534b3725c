using StackExchange.Redis;

namespace Reactor.Storage.Redis;

// The status, name and id indexes and the node and name sets (layout on RedisKeys): what lets a dashboard page through a
// million records by status or node with ranked reads instead of scanning keys. A save moves the id
// from the previous status's set to the new one in its own transaction; a delete removes it from all.
public sealed partial class RedisJobStore
{
    private const string StatusField = "status";
    private const string NameField = "name";

    /// <summary>
    /// One page of the records last saved with <paramref name="status"/>, newest first: ranks
    /// <paramref name="offset"/> to <paramref name="offset"/> + <paramref name="count"/> of the status
    /// index. Index entries whose record expired, was deleted or has moved on to another status are
    /// left out of the page (so a page may hold fewer than <paramref name="count"/>) but counted in
    /// <see cref="JobRecordPage.Total"/> until a save trims them.
    /// </summary>
    public Task<JobRecordPage> PageByStatusAsync(JobStatus status, long offset, int count, CancellationToken cancellationToken = default) =>
        PageAsync(Keys.Status(status), offset, count, r => r.Status == status, cancellationToken);

    /// <summary>One page of the records held for <paramref name="node"/>, unfinished ones first, then by expiry (newest first).</summary>
    public Task<JobRecordPage> PageByNodeAsync(string node, long offset, int count, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(node);
        return PageAsync(Keys.NodeJobs(node), offset, count, r => r.Node == node, cancellationToken);
    }

    /// <summary>
    /// One page of the records whose job name is <paramref name="name"/>, unfinished ones first, then by
    /// expiry (newest first), from the per-name index (see <see cref="RedisKeys.NameJobs"/>): O(log n + count)
    /// at a million records. Records saved by a version before the index existed are not listed.
    /// </summary>
    public Task<JobRecordPage> PageByNameAsync(string name, long offset, int count, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        return PageAsync(Keys.NameJobs(name), offset, count, r => r.Name == name, cancellationToken);
    }

    /// <summary>Every job name that ever saved a record under this prefix, sorted.</summary>
    public async Task<IReadOnlyList<string>> JobNamesAsync(CancellationToken cancellationToken = default)
    {
        var names = await _db.SetMembersAsync(Keys.Names).WaitAsync(cancellationToken).ConfigureAwait(false);
        return [.. names.Select(n => n.ToString()).Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// Up to <paramref name="count"/> records whose id starts with <paramref name="idPrefix"/>, in id
    /// order: a <c>ZRANGEBYLEX</c> on the id index (see <see cref="RedisKeys.Ids"/>), so it costs
    /// O(log n + count) however many records there are. Ids whose record is gone are left out (and
    /// dropped from the index). Records saved by a version before the index existed are not found.
    /// </summary>
    public async Task<IReadOnlyList<JobRecord>> FindByIdPrefixAsync(string idPrefix, int count, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(idPrefix);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        count = Math.Min(count, ReadBatchSize);
        var low = System.Text.Encoding.UTF8.GetBytes(idPrefix);
        // 0xFF never occurs in UTF-8, so [prefix, prefix+0xFF] holds exactly the ids that start with it.
        byte[] high = [.. low, 0xFF];
        var ids = await _db.SortedSetRangeByValueAsync(Keys.Ids, low, high, Exclude.None, Order.Ascending, 0, count).WaitAsync(cancellationToken).ConfigureAwait(false);
        var names = ids.Select(v => v.ToString()).ToArray();
        var reads = _db.CreateBatch();
        var hashes = names.Select(id => reads.HashGetAllAsync(Keys.Job(id))).ToArray();
        reads.Execute();
        await Task.WhenAll(hashes).WaitAsync(cancellationToken).ConfigureAwait(false);
        var records = new List<JobRecord>(names.Length);
        var gone = new List<RedisValue>();
        for (var i = 0; i < names.Length; i++)
        {
            if (hashes[i].Result is not { Length: > 0 } entries)
            {
                gone.Add(names[i]);
            }
            else if (TryRead(names[i], entries) is { } record)
            {
                // An unreadable record (logged by TryRead) stays indexed: it is still there.
                records.Add(record);
            }
        }
        if (gone.Count > 0)
        {
            await _db.SortedSetRemoveAsync(Keys.Ids, [.. gone]).ConfigureAwait(false);
        }
        return records;
    }

    /// <summary>Every node name that ever saved a record under this prefix, sorted.</summary>
    public async Task<IReadOnlyList<string>> NodeNamesAsync(CancellationToken cancellationToken = default)
    {
        var names = await _db.SetMembersAsync(Keys.Nodes).WaitAsync(cancellationToken).ConfigureAwait(false);
        return [.. names.Select(n => n.ToString()).Order(StringComparer.Ordinal)];
    }

    /// <summary>How many entries each status index holds (an upper bound: see <see cref="PageByStatusAsync"/>).</summary>
    public async Task<IReadOnlyDictionary<JobStatus, long>> CountByStatusAsync(CancellationToken cancellationToken = default)
    {
        var statuses = Enum.GetValues<JobStatus>();
        var batch = _db.CreateBatch();
        var counts = statuses.Select(s => batch.SortedSetLengthAsync(Keys.Status(s))).ToArray();
        batch.Execute();
        await Task.WhenAll(counts).WaitAsync(cancellationToken).ConfigureAwait(false);
        return statuses.Zip(counts).ToDictionary(p => p.First, p => p.Second.Result);
    }

    private async Task<JobRecordPage> PageAsync(RedisKey index, long offset, int count, Func<JobRecord, bool> belongs,
        CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        count = Math.Min(count, ReadBatchSize);
        var batch = _db.CreateBatch();
        var total = batch.SortedSetLengthAsync(index);
        var ids = batch.SortedSetRangeByRankAsync(index, offset, offset + count - 1, Order.Descending);
        batch.Execute();
        await Task.WhenAll(total, ids).WaitAsync(cancellationToken).ConfigureAwait(false);
        var names = ids.Result.Select(v => v.ToString()).Where(id => id.Length > 0).ToArray();
        var reads = _db.CreateBatch();
        var hashes = names.Select(id => reads.HashGetAllAsync(Keys.Job(id))).ToArray();
        reads.Execute();
        await Task.WhenAll(hashes).WaitAsync(cancellationToken).ConfigureAwait(false);
        var records = new List<JobRecord>(names.Length);
        for (var i = 0; i < names.Length; i++)
        {
            if (hashes[i].Result is { Length: > 0 } entries && TryRead(names[i], entries) is { } record && belongs(record))
            {
                records.Add(record);
            }
        }
        return new JobRecordPage(records, total.Result, offset);
    }

    // Status indexes are separate keys (different Cluster slots), so they are written as a pipelined
    // batch after the record, not in its transaction: a crash between the two leaves an entry that the
    // dashboard's page read skips (its record is gone or has another status), never a lost record.
    private async Task IndexStatusAsync(JobRecord record, RedisValue previousStatus, RedisValue previousName, double expiresAt, DateTimeOffset now)
    {
        var tx = _db.CreateBatch();
        var steps = new List<Task>(9);
        var statusName = RedisRecordFormat.StatusName(record.Status);
        if (!previousStatus.IsNull && previousStatus != statusName)
        {
            steps.Add(tx.SortedSetRemoveAsync($"{Keys.Prefix}:status:{RedisKeys.Escape(previousStatus.ToString())}", record.Id));
        }
        var statusKey = Keys.Status(record.Status);
        var nowMs = now.ToUnixTimeMilliseconds();
        steps.Add(tx.SortedSetAddAsync(statusKey, record.Id, nowMs));
        steps.Add(tx.SortedSetAddAsync(Keys.Ids, record.Id, 0));
        Task<RedisValue[]>? trimmed = null;
        if (record.IsFinished)
        {
            // Finished records expire a TTL after their last save; their entries go with them, from
            // the status index and (read first, in the same batch) from the id index.
            var expired = nowMs - (long)_options.CompletedRecordTtl.TotalMilliseconds;
            trimmed = tx.SortedSetRangeByScoreAsync(statusKey, double.NegativeInfinity, expired, Exclude.Stop, take: TrimBatch);
            steps.Add(trimmed);
            steps.Add(tx.SortedSetRemoveRangeByScoreAsync(statusKey, double.NegativeInfinity, expired, Exclude.Stop));
        }
        steps.Add(tx.SetAddAsync(Keys.Nodes, record.Node));
        // The name index is scored by expiry like the node index (unfinished records are never trimmed).
        if (!previousName.IsNull && previousName != record.Name)
        {
            steps.Add(tx.SortedSetRemoveAsync(Keys.NameJobs(previousName.ToString()), record.Id));
        }
        var nameKey = Keys.NameJobs(record.Name);
        steps.Add(tx.SortedSetAddAsync(nameKey, record.Id, expiresAt));
        steps.Add(tx.SortedSetRemoveRangeByScoreAsync(nameKey, double.NegativeInfinity, nowMs, Exclude.Stop));
        steps.Add(tx.SetAddAsync(Keys.Names, record.Name));
        tx.Execute();
        await Task.WhenAll(steps).ConfigureAwait(false);
        if (trimmed is { Result.Length: > 0 })
        {
            await _db.SortedSetRemoveAsync(Keys.Ids, trimmed.Result).ConfigureAwait(false);
        }
    }

    /// <summary>Expired ids taken out of the id index per save (the status index drops all of them; a few may stay in the id index, skipped when found).</summary>
    private const int TrimBatch = 1000;

    private async Task UnindexStatusAsync(string id, RedisValue name)
    {
        var tx = _db.CreateBatch();
        var steps = new List<Task>();
        foreach (var status in Enum.GetValues<JobStatus>())
        {
            steps.Add(tx.SortedSetRemoveAsync(Keys.Status(status), id));
        }
        steps.Add(tx.SortedSetRemoveAsync(Keys.Ids, id));
        if (!name.IsNull)
        {
            steps.Add(tx.SortedSetRemoveAsync(Keys.NameJobs(name.ToString()), id));
        }
        tx.Execute();
        await Task.WhenAll(steps).ConfigureAwait(false);
    }
}

/// <summary>One page of job records from a Redis index.</summary>
/// <param name="Records">The readable records of the page, in index order.</param>
/// <param name="Total">How many entries the index holds.</param>
/// <param name="Offset">The rank of the page's first entry.</param>
public sealed record JobRecordPage(IReadOnlyList<JobRecord> Records, long Total, long Offset);
