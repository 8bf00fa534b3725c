using Reactor.Storage;

namespace Reactor.Dashboard.Data;

/// <summary>What the overview shows. <see cref="Problem"/> is set when Redis could not be read.</summary>
internal sealed record OverviewModel(
    DistributorSnapshot? Snapshot,
    IReadOnlyList<ThroughputPoint> Series,
    IReadOnlyDictionary<JobStatus, long>? StatusCounts,
    string? Problem);

/// <summary>
/// Which jobs list: a node-record status, the distributor's recent results, one node's records, the
/// records of one job <see cref="Name"/>, or the records whose id starts with <see cref="IdPrefix"/>.
/// </summary>
internal sealed record JobsQuery(string View, string? Node, long Offset, string? IdPrefix = null, string? Name = null)
{
    public const string Recent = "recent";
}

/// <summary>One row of the jobs list, from a node record or a recent result.</summary>
internal sealed record JobRow(
    string Id,
    string Name,
    string Status,
    string? Node,
    int? Attempt,
    DateTimeOffset? RunAt,
    TimeSpan? Period,
    DateTimeOffset? At,
    string? Error,
    JobArgs? Args,
    double? Progress = null,
    string? ProgressMessage = null);

/// <summary>A page of the jobs list.</summary>
internal sealed record JobsModel(JobsQuery Query, IReadOnlyList<JobRow> Rows, long Total, IReadOnlyDictionary<JobStatus, long>? Counts,
    IReadOnlyList<string> Nodes, string? Problem)
{
    /// <summary>The job names for the name selector (empty when Redis is not read).</summary>
    public IReadOnlyList<string> Names { get; init; } = [];
}

/// <summary>Everything known about one job; any part may be missing.</summary>
internal sealed record JobModel(
    string Id,
    JobRecord? Record,
    Reactor.Distributor.Durability.StoredResult? Stored,
    JobArgs? StoredArgs,
    RecentResult? Recent,
    bool Unsettled,
    string? Problem)
{
    public bool Found => Record is not null || Stored is not null || Recent is not null || Unsettled;

    public string Name => Record?.Name ?? Stored?.Name ?? Recent?.Name ?? "";
}
