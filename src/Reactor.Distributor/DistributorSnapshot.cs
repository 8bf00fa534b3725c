namespace Reactor;

/// <summary>
/// What a distributor holds at one moment, from <see cref="ReactorDistributor.GetSnapshot"/>. Every
/// list is a copy: the snapshot does not change after it was taken.
/// </summary>
/// <param name="Id">The distributor's id (<see cref="ReactorDistributor.Id"/>).</param>
/// <param name="Endpoint">The address it listens on, <c>host:port</c>.</param>
/// <param name="TakenAt">When the snapshot was taken (the distributor's clock).</param>
/// <param name="StartedAt">When the distributor started listening.</param>
/// <param name="Nodes">The nodes connected now, by name.</param>
/// <param name="Pending">Jobs waiting for a node, one entry per job name.</param>
/// <param name="PendingCount">Jobs waiting for a node, all names together.</param>
/// <param name="InFlightCount">Jobs on nodes without a final result yet.</param>
/// <param name="RecentResults">The last final results (at most 100), newest first.</param>
/// <param name="Outcomes">Final results counted by outcome since the distributor started.</param>
public sealed record DistributorSnapshot(
    string Id,
    string Endpoint,
    DateTimeOffset TakenAt,
    DateTimeOffset StartedAt,
    IReadOnlyList<NodeSnapshot> Nodes,
    IReadOnlyList<PendingJobsSnapshot> Pending,
    int PendingCount,
    int InFlightCount,
    IReadOnlyList<RecentResult> RecentResults,
    OutcomeCounts Outcomes);

/// <summary>One connected node as the distributor sees it.</summary>
/// <param name="Name">The node's name.</param>
/// <param name="Endpoint">The node's remote address, <c>ip:port</c>.</param>
/// <param name="ConnectedSince">When its handshake completed.</param>
/// <param name="JobNames">The job names it announced, sorted.</param>
/// <param name="Credit">How many more jobs it may be sent now.</param>
/// <param name="InFlight">Jobs it holds without a final result yet.</param>
/// <param name="LastHeartbeat">When anything (a heartbeat or any other frame) last arrived from it.</param>
/// <param name="Accepting">False once it said Goodbye (it is leaving and gets no more jobs).</param>
public sealed record NodeSnapshot(
    string Name,
    string Endpoint,
    DateTimeOffset ConnectedSince,
    IReadOnlyList<string> JobNames,
    int Credit,
    int InFlight,
    DateTimeOffset LastHeartbeat,
    bool Accepting);

/// <summary>Jobs of one name waiting for a node.</summary>
/// <param name="Name">The job name.</param>
/// <param name="Count">How many wait.</param>
/// <param name="OldestAge">How long the job that has waited longest has been waiting for a node.</param>
/// <param name="Known">True when a connected node announces this name (the jobs wait for credit), false when none does.</param>
public sealed record PendingJobsSnapshot(string Name, int Count, TimeSpan OldestAge, bool Known);

/// <summary>One final result, as the app's feedback got it.</summary>
/// <param name="JobId">The job's id.</param>
/// <param name="Name">The job's name.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="Error">Why it failed or was cancelled; null on success.</param>
/// <param name="FinishedAt">When the distributor learnt the result.</param>
public sealed record RecentResult(string JobId, string Name, JobOutcome Outcome, string? Error, DateTimeOffset FinishedAt);

/// <summary>Final results counted by outcome.</summary>
/// <param name="Succeeded">Jobs that succeeded.</param>
/// <param name="Failed">Jobs that failed (on a node, or waiting for one).</param>
/// <param name="Cancelled">Jobs that were cancelled.</param>
public sealed record OutcomeCounts(long Succeeded, long Failed, long Cancelled);
