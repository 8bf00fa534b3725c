using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Reactor.Health;

/// <summary>
/// Healthy when the distributor listens, every job name with waiting jobs is announced by at least one
/// connected node, and no job has waited for a node longer than <see cref="ReactorHealthCheckOptions.MaxPendingAge"/>.
/// Reads <see cref="ReactorDistributor.GetSnapshot"/>, so it is cheap to probe often.
/// </summary>
public sealed class DistributorHealthCheck(ReactorDistributor distributor, ReactorHealthCheckOptions? options = null) : IHealthCheck
{
    private readonly ReactorHealthCheckOptions _options = options ?? new ReactorHealthCheckOptions();

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!distributor.IsListening)
        {
            return Task.FromResult(new HealthCheckResult(context.Registration.FailureStatus, "the distributor is not listening"));
        }
        var snapshot = distributor.GetSnapshot();
        var data = new Dictionary<string, object>
        {
            ["endpoint"] = snapshot.Endpoint,
            ["nodes"] = snapshot.Nodes.Count,
            ["pending"] = snapshot.PendingCount,
            ["inFlight"] = snapshot.InFlightCount,
        };
        var problems = new List<string>();
        var orphaned = snapshot.Pending.Where(p => !p.Known).ToList();
        if (orphaned.Count > 0)
        {
            var names = string.Join(", ", orphaned.Select(p => $"{p.Name} ({p.Count})"));
            problems.Add(snapshot.Nodes.Count == 0
                ? $"jobs wait and no node is connected to {snapshot.Endpoint}: {names}"
                : $"no connected node runs the waiting jobs {names}");
        }
        if (snapshot.Pending.Count > 0 && snapshot.Pending.MaxBy(p => p.OldestAge) is { } oldest && oldest.OldestAge > _options.MaxPendingAge)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture,
                $"job {oldest.Name} has waited {oldest.OldestAge.TotalSeconds:0} s for a node (MaxPendingAge {_options.MaxPendingAge.TotalSeconds:0} s)"));
        }
        var result = problems.Count == 0
            ? HealthCheckResult.Healthy(string.Create(CultureInfo.InvariantCulture,
                $"listening on {snapshot.Endpoint}; {snapshot.Nodes.Count} nodes, {snapshot.PendingCount} pending, {snapshot.InFlightCount} in flight"), data)
            : new HealthCheckResult(context.Registration.FailureStatus, string.Join("; ", problems), data: data);
        return Task.FromResult(result);
    }
}
