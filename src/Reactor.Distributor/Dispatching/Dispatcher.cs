using Reactor.Distributor.Metrics;

namespace Reactor.Distributor;

/// <summary>
/// Decides which node runs which job, and owns all routing state: one <see cref="NodeSlot"/> per
/// connected node (its name, job names, credit, whether it accepts, the jobs it holds), the in-flight
/// index and the pending queues. Everything sits behind one lock, taken on whichever thread calls
/// (a session's read loop, an enqueueing caller, the sweep timer); it reaches nodes only through
/// <see cref="INodeSender"/>, whose sends are non-blocking queue writes, so holding the lock is brief.
/// </summary>
internal sealed partial class Dispatcher(DistributorOptions options, TimeProvider time, DistributorMetrics metrics)
{
    private readonly Lock _gate = new();
    private readonly List<NodeSlot> _nodes = [];
    private readonly Dictionary<string, JobEnvelope> _inFlight = new(StringComparer.Ordinal);
    private readonly PendingJobs _pending = new(time, options.PriorityAging);
    private int _roundRobin;

    public int PendingCount
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    public int InFlightCount
    {
        get
        {
            lock (_gate)
            {
                return _inFlight.Count;
            }
        }
    }

    public int NodeCount
    {
        get
        {
            lock (_gate)
            {
                return _nodes.Count;
            }
        }
    }

    /// <summary>How many jobs wait per job name: a snapshot for the pending gauge, taken when a listener collects.</summary>
    public List<(string Name, int Count)> PendingByName()
    {
        lock (_gate)
        {
            return _pending.CountByName();
        }
    }

    public IReadOnlyList<string> NodeNames
    {
        get
        {
            lock (_gate)
            {
                return _nodes.Select(n => n.Name).ToList();
            }
        }
    }

    /// <summary>
    /// Sends the job to a node now, or queues it. Throws when the pending buffer is full. Returns
    /// <see cref="SubmitResult.UnknownName"/> when nodes are connected, none announces the job's name,
    /// and no other job of that name was waiting: the caller warns once, not once per job.
    /// </summary>
    public SubmitResult Submit(JobEnvelope job)
    {
        lock (_gate)
        {
            var node = Pick(job);
            if (node is not null && MayStart(job))
            {
                SendTo(node, job);
                return SubmitResult.Sent;
            }
            if (_pending.Count >= options.PendingCapacity)
            {
                throw new InvalidOperationException(
                    $"{_pending.Count} jobs are already waiting for a node (PendingCapacity); start nodes or raise the limit");
            }
            var now = time.GetUtcNow();
            var first = !_pending.HasWaiting(job.Name);
            _pending.Add(job, now);
            if (_nodes.Count > 0 && !IsKnown(job.Name))
            {
                job.UnknownSince = now;
                _unknownNames.Add(job.Name);
                return first ? SubmitResult.UnknownName : SubmitResult.Queued;
            }
            return SubmitResult.Queued;
        }
    }

    /// <summary>
    /// Registers a node that finished its handshake; false when its name is already connected.
    /// <paramref name="welcome"/> runs under the lock before any waiting job is sent, so the node
    /// always sees Welcome before its first Dispatch.
    /// </summary>
    public bool TryJoin(NodeSlot node, Action welcome)
    {
        lock (_gate)
        {
            if (_nodes.Exists(n => n.Name == node.Name))
            {
                return false;
            }
            _nodes.Add(node);
            welcome();
            Drain(node);
            return true;
        }
    }

    /// <summary>The node returned <paramref name="count"/> credits: waiting jobs it can run go to it now.</summary>
    public void AddCredit(NodeSlot node, int count)
    {
        lock (_gate)
        {
            node.Credit = (int)Math.Min(int.MaxValue, (long)node.Credit + count);
            if (node.Accepting)
            {
                Drain(node);
            }
        }
    }

    /// <summary>The node said goodbye: nothing more goes to it; what it holds is re-sent when it leaves.</summary>
    public void StopSendingTo(NodeSlot node)
    {
        lock (_gate)
        {
            node.Accepting = false;
        }
    }

    /// <summary>
    /// The node's connection closed: every job it still held goes out again (to another node, or
    /// into the pending queue), keeping its id so the app's feedback still fires once. When the node
    /// was lost (<paramref name="lost"/>: no Goodbye, not our own shutdown), each job it held counts
    /// one loss; a job that reached its <c>MaxDispatches</c> is not sent again but returned in
    /// <see cref="LeaveOutcome.Exhausted"/> for the caller to fail.
    /// </summary>
    public LeaveOutcome Leave(NodeSlot node, bool lost)
    {
        lock (_gate)
        {
            if (!_nodes.Remove(node))
            {
                return new LeaveOutcome(0, []);
            }
            // A node that said Goodbye handed back its waiting jobs on purpose (a rolling restart):
            // that is no evidence against them.
            var charge = lost && node.Accepting;
            node.Suspect = null;
            var orphans = node.Jobs.Values.ToList();
            node.Jobs.Clear();
            var exhausted = new List<JobEnvelope>();
            // Their slots free first: a job sent again takes a slot again, wherever it goes.
            var reopened = ReleaseLimits(orphans);
            foreach (var job in orphans)
            {
                job.Owner = null;
                _inFlight.Remove(job.Id);
                if (charge)
                {
                    job.LostOn = node.Name;
                }
                if (charge && ++job.Losses >= MaxDispatchesOf(job))
                {
                    exhausted.Add(job);
                    continue;
                }
                metrics.Redispatched(job);
                var next = Pick(job);
                if (next is not null && MayStart(job))
                {
                    SendTo(next, job);
                }
                else
                {
                    _pending.Add(job, time.GetUtcNow());
                }
            }
            DrainNames(reopened);
            return new LeaveOutcome(orphans.Count - exhausted.Count, exhausted);
        }
    }

    /// <summary>The error a job gets when it used up its dispatches.</summary>
    public string ExhaustedError(JobEnvelope job) =>
        $"job '{job.Name}' was dispatched {job.Losses} times and each node it ran on was lost "
        + $"(MaxDispatches {MaxDispatchesOf(job)}); it is not dispatched again";

    /// <summary>
    /// A periodic run of the job succeeded: it does not kill nodes, so its losses are forgiven and the
    /// node it is quarantined on may take other jobs again.
    /// </summary>
    public void Progressed(string jobId)
    {
        lock (_gate)
        {
            if (!_inFlight.TryGetValue(jobId, out var job))
            {
                return;
            }
            job.Losses = 0;
            if (job.Owner is { } owner && ReferenceEquals(owner.Suspect, job))
            {
                Release(owner);
            }
        }
    }

    /// <summary>
    /// True when the job is on a node other than <paramref name="node"/>: the distributor sent it
    /// there after losing the connection <paramref name="node"/>'s copy came on.
    /// </summary>
    public bool IsHeldByAnother(string jobId, NodeSlot node)
    {
        lock (_gate)
        {
            return _inFlight.TryGetValue(jobId, out var job) && job.Owner is { } owner && !ReferenceEquals(owner, node);
        }
    }

    /// <summary>A final result arrived (from any node): the job is no longer anyone's.</summary>
    public void Completed(string jobId)
    {
        lock (_gate)
        {
            if (_pending.TryGet(jobId, out var waiting))
            {
                // Settled while its copy waited for a node (a restarted node finished it from its own
                // storage): the copy must not be sent and run again.
                _pending.Remove(waiting);
                return;
            }
            if (_inFlight.Remove(jobId, out var job) && job.Owner is { } owner)
            {
                owner.Jobs.Remove(jobId);
                job.Owner = null;
                if (ReferenceEquals(owner.Suspect, job))
                {
                    Release(owner);
                }
                ReleaseLimit(job);
            }
        }
    }

    /// <summary>Where a job is, for cancelling it.</summary>
    public CancelResult Cancel(string jobId, out JobEnvelope? removedPending)
    {
        removedPending = null;
        lock (_gate)
        {
            if (_inFlight.TryGetValue(jobId, out var running) && running.Owner is { } owner)
            {
                owner.Sender.Cancel(jobId);
                return CancelResult.Requested;
            }
            if (!_pending.TryGet(jobId, out var waiting))
            {
                return CancelResult.NotFound;
            }
            _pending.Remove(waiting);
            removedPending = waiting;
            return CancelResult.Cancelled;
        }
    }

    /// <summary>
    /// Removes and returns jobs that waited past their deadline, and jobs whose name no connected node
    /// announced for <c>UnknownJobTimeout</c> (<see cref="ExpiredJob.Unknown"/>).
    /// </summary>
    public List<ExpiredJob> TakeExpired(DateTimeOffset now, List<string> newlyUnknown)
    {
        lock (_gate)
        {
            var expired = _pending.Expired(now).Select(j => new ExpiredJob(j, false)).ToList();
            foreach (var (job, _) in expired)
            {
                _pending.Remove(job);
            }
            TakeUnknown(now, expired, newlyUnknown);
            return expired;
        }
    }

    private NodeSlot? Pick(JobEnvelope job)
    {
        if (job.Node is not null)
        {
            var preferred = _nodes.Find(n => n.Name == job.Node);
            if (preferred is not null && CanRun(preferred, job))
            {
                return preferred;
            }
            if (options.AlwaysUseSpecifiedNode)
            {
                return null;
            }
        }
        // Most free credit wins, so load spreads by how busy nodes are; ties rotate so equal nodes
        // take turns instead of the first one in the list taking everything.
        NodeSlot? best = null;
        var count = _nodes.Count;
        var start = count == 0 ? 0 : (int)((uint)_roundRobin++ % (uint)count);
        for (var i = 0; i < count; i++)
        {
            var node = _nodes[(start + i) % count];
            if (CanRun(node, job) && (best is null || node.Credit > best.Credit))
            {
                best = node;
            }
        }
        return best;
    }

    // A node running a suspect takes nothing else until the suspect settles: if the suspect kills it,
    // nothing innocent is on board that was sent after it.
    private static bool CanRun(NodeSlot node, JobEnvelope job) =>
        node.Accepting && node.Suspect is null && node.Credit > 0 && node.Name != job.NotNode && node.JobNames.Contains(job.Name);

    private int MaxDispatchesOf(JobEnvelope job) => job.MaxDispatches > 0 ? job.MaxDispatches : options.MaxDispatches;

    /// <summary>The node's suspect settled (or proved harmless): it may take jobs again.</summary>
    private void Release(NodeSlot node)
    {
        node.Suspect = null;
        if (node.Accepting)
        {
            Drain(node);
        }
    }

    /// <summary>Whether a waiting job may go to <paramref name="node"/> (credit and job name are checked by the caller).</summary>
    private bool MayTake(NodeSlot node, JobEnvelope job) =>
        node.Name != job.NotNode
        && (job.Node is null || job.Node == node.Name || !options.AlwaysUseSpecifiedNode);

    private void SendTo(NodeSlot node, JobEnvelope job)
    {
        node.Credit--;
        node.Jobs[job.Id] = job;
        job.Owner = node;
        job.Dispatches++;
        // Quarantine only a suspect that runs now: one due later parks on the node's timer, and if it
        // kills the node then, it is due (and quarantined) every time after.
        // Nor a copy going back to the same node restarted with durable storage: it resumed the job from
        // its own records (bounded by its MaxAttempt) and only recognises the copy by id.
        if (job.Suspect && job.Dispatch.RunAtUnixMs <= time.GetUtcNow().ToUnixTimeMilliseconds()
            && !(node.Name == job.LostOn && node.StorageKind == "redis"))
        {
            node.Suspect = job;
        }
        _inFlight[job.Id] = job;
        metrics.Dispatched(job);
        node.Sender.Dispatch(job.Dispatch);
        if (job.OnFirstSend is { } firstSend)
        {
            job.OnFirstSend = null;
            firstSend(job);
        }
    }

    /// <summary>Hands waiting jobs to <paramref name="node"/> while it has credit.</summary>
    private void Drain(NodeSlot node)
    {
        if (_pending.Count == 0)
        {
            return;
        }
        foreach (var job in _pending.Candidates(node.JobNames, LimitFilter))
        {
            if (node.Credit <= 0 || node.Suspect is not null)
            {
                return;
            }
            if (MayTake(node, job) && MayStart(job))
            {
                _pending.Remove(job);
                SendTo(node, job);
            }
        }
    }
}

/// <summary>What a node's departure did: jobs sent out again, and jobs that used up their dispatches.</summary>
internal readonly record struct LeaveOutcome(int Resent, List<JobEnvelope> Exhausted);
