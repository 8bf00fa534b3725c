namespace Reactor.Health;

/// <summary>Thresholds of the Reactor health checks (<see cref="ReactorHealthChecksBuilderExtensions.AddReactorHealthChecks"/>, and <c>AddReactorNodeHealthCheck</c> in <c>Reactor.Client.Nodes</c>).</summary>
public sealed class ReactorHealthCheckOptions
{
    /// <summary>
    /// Distributor: unhealthy when the job that has waited longest for a node has waited longer than
    /// this (nodes too few or too slow). Default: 1 minute.
    /// </summary>
    public TimeSpan MaxPendingAge { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Node: unhealthy when a probe posted to the reactor loop waits longer than this to run (job code
    /// blocking the loop, or more loop work than it keeps up with). Default: 5 s.
    /// </summary>
    public TimeSpan MaxLoopLag { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Node with Redis storage: how long a Redis PING may take before the check says Redis is unreachable. Default: 5 s.</summary>
    public TimeSpan StorageTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
