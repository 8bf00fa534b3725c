using Microsoft.AspNetCore.Http;

namespace Reactor.Dashboard;

/// <summary>
/// How <see cref="DashboardEndpointExtensions.MapReactorDashboard"/> serves the dashboard: what it reads
/// and who may see it.
/// </summary>
public sealed class DashboardOptions
{
    /// <summary>Shown in the page title and header. Default: "Reactor".</summary>
    public string Title { get; set; } = "Reactor";

    /// <summary>
    /// The distributor to show and act on. Default: null, meaning the <see cref="ReactorDistributor"/>
    /// registered in the application's services, else the one <c>JR.Run</c> started, else none (the
    /// dashboard then reads Redis alone, as <c>reactor dashboard</c> does).
    /// </summary>
    public Func<ReactorDistributor?>? Distributor { get; set; }

    /// <summary>
    /// The Redis holding the nodes' job records, the distributor's journal and its published snapshot
    /// (<c>host:port</c> or <c>redis://...</c>). Default: null (no job records: the jobs pages show the
    /// distributor's recent results only).
    /// </summary>
    public string? Redis { get; set; }

    /// <summary>The key prefix the nodes and the distributor write under. Default: "reactor".</summary>
    public string KeyPrefix { get; set; } = "reactor";

    /// <summary>
    /// The key prefix of the workflow store (<c>WorkflowOptions.RedisKeyPrefix</c> of the engines), read by
    /// the workflow pages from <see cref="Redis"/>. Default: "reactor:wf:".
    /// </summary>
    public string WorkflowKeyPrefix { get; set; } = "reactor:wf:";

    /// <summary>The distributor's journal name (<c>DistributorOptions.Name</c>). Default: "default".</summary>
    public string DistributorName { get; set; } = "default";

    /// <summary>
    /// Serve only requests from the loopback interface (like Hangfire's default). Turn it off only
    /// together with <see cref="Authorization"/> or <c>RequireAuthorization</c>. Default: true.
    /// </summary>
    public bool LocalRequestsOnly { get; set; } = true;

    /// <summary>
    /// Decides whether a request may see the dashboard (true) or gets 403 (false); runs after the
    /// local-requests check. Default: null (everyone the local check lets through).
    /// </summary>
    public Func<HttpContext, ValueTask<bool>>? Authorization { get; set; }

    /// <summary>Hide every action (retry, cancel, delete) and refuse their POSTs. Default: false.</summary>
    public bool ReadOnly { get; set; }

    /// <summary>
    /// How often live pages are refreshed over Server-Sent Events, and how long one rendering of a page is
    /// shared by every viewer of it (so 50 browsers cost one rendering per interval). Default: 2 s; at
    /// least 250 ms.
    /// </summary>
    public TimeSpan LiveInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Live connections served at once; more get 503 and the page falls back to reloading by hand. Default: 200.</summary>
    public int MaxLiveConnections { get; set; } = 200;

    /// <summary>Rows per page of the jobs list. Default: 50; between 1 and 500.</summary>
    public int PageSize { get; set; } = 50;

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(KeyPrefix, nameof(KeyPrefix));
        ArgumentException.ThrowIfNullOrWhiteSpace(DistributorName, nameof(DistributorName));
        ArgumentException.ThrowIfNullOrWhiteSpace(WorkflowKeyPrefix, nameof(WorkflowKeyPrefix));
        if (LiveInterval < TimeSpan.FromMilliseconds(250))
        {
            throw new ArgumentOutOfRangeException(nameof(LiveInterval), LiveInterval, "LiveInterval must be at least 250 ms");
        }
        if (PageSize is < 1 or > 500)
        {
            throw new ArgumentOutOfRangeException(nameof(PageSize), PageSize, "PageSize must be between 1 and 500");
        }
        if (MaxLiveConnections < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxLiveConnections), MaxLiveConnections, "MaxLiveConnections must be at least 1");
        }
    }
}
