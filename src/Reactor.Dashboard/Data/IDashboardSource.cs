namespace Reactor.Dashboard.Data;

/// <summary>
/// Where the dashboard learns about the distributor: the one in this process, or the snapshot a
/// distributor in another process publishes to Redis. Job records, results and workflows come from
/// <see cref="RedisRecords"/> in both cases; only the distributor's live view and the actions that
/// need it (retry, cancel) differ.
/// </summary>
internal interface IDashboardSource
{
    /// <summary>Says where the data comes from, for the page footer.</summary>
    string Description { get; }

    /// <summary>The distributor to act on, or null when it lives in another process.</summary>
    ReactorDistributor? Distributor { get; }

    /// <summary>The distributor's view now, or null when none is running (or none published a snapshot).</summary>
    Task<DistributorSnapshot?> SnapshotAsync(CancellationToken cancellationToken);
}
