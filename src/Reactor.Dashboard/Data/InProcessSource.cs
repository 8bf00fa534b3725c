namespace Reactor.Dashboard.Data;

/// <summary>Reads the distributor in this process (memory or Redis journal alike).</summary>
internal sealed class InProcessSource(Func<ReactorDistributor?> distributor) : IDashboardSource
{
    public string Description => Distributor is { } d ? $"distributor {d.Id} in this process" : "distributor in this process (not started)";

    public ReactorDistributor? Distributor
    {
        get
        {
            var d = distributor();
            return d is { IsListening: true } ? d : null;
        }
    }

    public Task<DistributorSnapshot?> SnapshotAsync(CancellationToken cancellationToken) =>
        Task.FromResult(Distributor?.GetSnapshot());
}
