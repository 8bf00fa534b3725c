namespace Reactor.Distribution;

// The routing state as the snapshot shows it: O(nodes + job names), never O(jobs), under the lock.
internal sealed partial class Dispatcher
{
    /// <summary>Connected nodes and waiting jobs per name, copied under the lock.</summary>
    public (List<NodeSnapshot> Nodes, List<PendingJobsSnapshot> Pending, int PendingCount, int InFlightCount) Snapshot(DateTimeOffset now)
    {
        lock (_gate)
        {
            var nodes = _nodes
                .Select(n => new NodeSnapshot(n.NodeName, n.Remote, n.ConnectedSince,
                    n.JobNames.Order(StringComparer.Ordinal).ToList(), n.Credit, n.Jobs.Count, n.LastReceived, n.Accepting))
                .OrderBy(n => n.Name, StringComparer.Ordinal)
                .ToList();
            var pending = new List<PendingJobsSnapshot>();
            foreach (var name in _pending.Names)
            {
                var queue = _pending.For(name)!;
                // FIFO per name, so the first entry has waited longest (a job handed back by a lost node
                // queues at the end: its wait for a node starts again).
                pending.Add(new PendingJobsSnapshot(name, queue.Count, now - queue.First!.Value.PendingSince, IsKnown(name)));
            }
            pending.Sort((a, b) => StringComparer.Ordinal.Compare(a.Name, b.Name));
            return (nodes, pending, _pending.Count, _inFlight.Count);
        }
    }
}
