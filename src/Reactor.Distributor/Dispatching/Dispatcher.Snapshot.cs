namespace Reactor.Distributor;

// The routing state as the snapshot shows it: O(nodes + job names), never O(jobs), under the lock.
internal sealed partial class Dispatcher
{
    /// <summary>Connected nodes and waiting jobs per name, copied under the lock.</summary>
    public (List<NodeSnapshot> Nodes, List<PendingJobsSnapshot> Pending, int PendingCount, int InFlightCount) Snapshot(DateTimeOffset now)
    {
        lock (_gate)
        {
            var nodes = _nodes
                .Select(n => new NodeSnapshot(n.Name, n.Sender.Remote, n.ConnectedSince,
                    n.JobNames.Order(StringComparer.Ordinal).ToList(), n.Credit, n.Jobs.Count, n.Sender.LastReceived, n.Accepting))
                .OrderBy(n => n.Name, StringComparer.Ordinal)
                .ToList();
            var pending = _pending.Summaries()
                .Select(p => new PendingJobsSnapshot(p.Name, p.Count, now - p.OldestSince, IsKnown(p.Name)))
                .ToList();
            pending.Sort((a, b) => StringComparer.Ordinal.Compare(a.Name, b.Name));
            return (nodes, pending, _pending.Count, _inFlight.Count);
        }
    }
}
