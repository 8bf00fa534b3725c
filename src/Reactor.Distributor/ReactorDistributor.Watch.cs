using Reactor.Distributor;

namespace Reactor;

// Introspection and the warnings that make mistakes visible: a job no node knows, jobs piling up
// with no node connected.
public sealed partial class ReactorDistributor
{
    /// <summary>How often the distributor warns while jobs wait and no node is connected.</summary>
    internal static readonly TimeSpan NoNodeWarningInterval = TimeSpan.FromSeconds(30);

    /// <summary>When the listener came up (the distributor's clock).</summary>
    public DateTimeOffset StartedAt { get; private set; }

    /// <summary>The address nodes dial, <c>host:port</c>.</summary>
    public string Endpoint => $"{_options.Host}:{Port}";

    /// <summary>
    /// What the distributor holds now: connected nodes (name, address, connected since, job names,
    /// credit, jobs in flight, last frame received), waiting jobs per name with the age of the one
    /// that has waited longest, the last 100 final results and counts by outcome since start. Cheap
    /// enough to call on every health probe or metrics scrape: it copies per node and per job name
    /// under the routing lock, never per job.
    /// </summary>
    public DistributorSnapshot GetSnapshot()
    {
        var now = _time.GetUtcNow();
        var (nodes, pending, pendingCount, inFlight) = _dispatcher.Snapshot(now);
        return new DistributorSnapshot(Id, Endpoint, now, StartedAt, nodes, pending, pendingCount, inFlight,
            _feedback.Results.Recent(), _feedback.Results.Counts);
    }

    private void StartWatch()
    {
        _watch = _time.CreateTimer(_ => WarnIfNoNode(), null, NoNodeWarningInterval, NoNodeWarningInterval);
        if (_journal is not null)
        {
            _publisher = _time.CreateTimer(_ => PublishSnapshot(), null, TimeSpan.Zero, SnapshotInterval);
        }
    }

    private void WarnIfNoNode()
    {
        if (_dispatcher.NodeCount == 0 && _dispatcher.PendingCount is > 0 and var count)
        {
            LogPendingWithoutNodes(_logger, count, Endpoint);
        }
    }

    private void WarnUnknown(string name) =>
        LogUnknownJob(_logger, name, Dispatcher.DescribeNames(_dispatcher.KnownJobNames()), _options.UnknownJobTimeout);
}
