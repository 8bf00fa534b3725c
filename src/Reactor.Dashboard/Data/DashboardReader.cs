using Reactor.Storage;
using Reactor.Storage.Redis;
using StackExchange.Redis;

namespace Reactor.Dashboard.Data;

/// <summary>Builds the pages' models from the source and, when configured, Redis.</summary>
internal sealed partial class DashboardReader(IDashboardSource source, RedisRecords? redis, ThroughputSampler sampler, int pageSize)
{
    public IDashboardSource Source => source;

    public RedisRecords? Redis => redis;

    public int PageSize => pageSize;

    public async Task<OverviewModel> OverviewAsync(CancellationToken cancellationToken)
    {
        string? problem = null;
        DistributorSnapshot? snapshot = null;
        IReadOnlyDictionary<JobStatus, long>? counts = null;
        try
        {
            snapshot = await source.SnapshotAsync(cancellationToken).ConfigureAwait(false);
            if (redis is not null)
            {
                var store = await redis.StoreAsync(cancellationToken).ConfigureAwait(false);
                counts = await store.CountByStatusAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (RedisException e)
        {
            problem = Unreachable(e);
        }
        return new OverviewModel(snapshot, sampler.Observe(snapshot), counts, problem);
    }

    public async Task<JobsModel> JobsAsync(JobsQuery query, CancellationToken cancellationToken)
    {
        if (query.View == JobsQuery.Recent && query.Node is null && query.Name is null)
        {
            try
            {
                var snapshot = await source.SnapshotAsync(cancellationToken).ConfigureAwait(false);
                var rows = (snapshot?.RecentResults ?? []).Select(r =>
                    new JobRow(r.JobId, r.Name, r.Outcome.ToString().ToLowerInvariant(), null, null, null, null, r.FinishedAt, r.Error, null)).ToList();
                return new JobsModel(query, rows, rows.Count, null, [], null);
            }
            catch (RedisException e)
            {
                return new JobsModel(query, [], 0, null, [], Unreachable(e));
            }
        }
        if (redis is null)
        {
            return new JobsModel(query, [], 0, null, [],
                "Node job records are in Redis: configure the dashboard's Redis (o.Redis) and run nodes with --storage redis to list them.");
        }
        try
        {
            var store = await redis.StoreAsync(cancellationToken).ConfigureAwait(false);
            var counts = await store.CountByStatusAsync(cancellationToken).ConfigureAwait(false);
            var nodes = await store.NodeNamesAsync(cancellationToken).ConfigureAwait(false);
            var names = await store.JobNamesAsync(cancellationToken).ConfigureAwait(false);
            JobRecordPage page;
            if (query.IdPrefix is { } idPrefix)
            {
                var found = await store.FindByIdPrefixAsync(idPrefix, pageSize, cancellationToken).ConfigureAwait(false);
                page = new JobRecordPage(found, found.Count, 0);
            }
            else if (query.Node is { } node)
            {
                page = await store.PageByNodeAsync(node, query.Offset, pageSize, cancellationToken).ConfigureAwait(false);
            }
            else if (query.Name is { } name)
            {
                page = await store.PageByNameAsync(name, query.Offset, pageSize, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                page = await store.PageByStatusAsync(StatusNames.Parse(query.View) ?? JobStatus.Failed, query.Offset, pageSize, cancellationToken)
                    .ConfigureAwait(false);
            }
            return new JobsModel(query, [.. page.Records.Select(Row)], page.Total, counts, nodes, null) { Names = names };
        }
        catch (RedisException e)
        {
            return new JobsModel(query, [], 0, null, [], Unreachable(e));
        }
    }

    public async Task<JobModel> JobAsync(string id, CancellationToken cancellationToken)
    {
        var snapshot = (RecentResult?)null;
        try
        {
            snapshot = (await source.SnapshotAsync(cancellationToken).ConfigureAwait(false))?.RecentResults.FirstOrDefault(r => r.JobId == id);
            var accepted = source.Distributor?.IsUnsettled(id) ?? false;
            if (redis is null)
            {
                return new JobModel(id, null, null, null, snapshot, accepted, null);
            }
            var store = await redis.StoreAsync(cancellationToken).ConfigureAwait(false);
            var record = await store.LoadAsync(id, cancellationToken).ConfigureAwait(false);
            var stored = await redis.ResultAsync(id, cancellationToken).ConfigureAwait(false);
            var unsettled = accepted || await redis.UnsettledAsync(id, cancellationToken).ConfigureAwait(false);
            return new JobModel(id, record, stored, stored is null ? null : RedisRecords.ArgsOf(stored), snapshot, unsettled, null);
        }
        catch (RedisException e)
        {
            return new JobModel(id, null, null, null, snapshot, false, Unreachable(e));
        }
    }

    internal static JobRow Row(JobRecord r) =>
        new(r.Id, r.Name, StatusNames.Of(r.Status), r.Node, r.Attempt, r.RunAt, r.Period, r.FailedAt, r.LastError, r.Args,
            r.Status == JobStatus.InProgress ? r.Progress : null, r.Status == JobStatus.InProgress ? r.ProgressMessage : null);

    /// <summary>What a page or action says when Redis failed: unreachable, or reachable and refusing (full, read-only replica, ...).</summary>
    internal static string Unreachable(RedisException e) => e is RedisServerException
        ? $"Redis refused the request: {e.Message}. Nothing was changed by it; the page recovers when Redis accepts requests again."
        : $"Redis is unreachable: {e.Message}. The page recovers when it answers again.";
}
