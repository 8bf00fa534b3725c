namespace Reactor.Distributor;

/// <summary>
/// Jobs waiting for a node, in one FIFO queue per job name so a node that connects or returns
/// credit only looks at jobs it can run. Guarded by the dispatcher's lock.
/// The dispatcher uses nothing but the members below: the order jobs are offered in
/// (<see cref="Candidates"/>) is this class's business, so another policy (priorities, per-name
/// limits) changes this class, not the routing.
/// </summary>
internal sealed class PendingJobs
{
    private readonly Dictionary<string, LinkedList<JobEnvelope>> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JobEnvelope> _byId = new(StringComparer.Ordinal);

    /// <summary>How many jobs wait.</summary>
    public int Count { get; private set; }

    /// <summary>Job names with at least one waiting job.</summary>
    public IEnumerable<string> Names => _byName.Keys;

    /// <summary>Queues a job behind every waiting job of its name; its wait starts at <paramref name="now"/>.</summary>
    public void Add(JobEnvelope job, DateTimeOffset now)
    {
        job.PendingSince = now;
        if (!_byName.TryGetValue(job.Name, out var queue))
        {
            _byName[job.Name] = queue = new LinkedList<JobEnvelope>();
        }
        job.PendingEntry = queue.AddLast(job);
        _byId[job.Id] = job;
        Count++;
    }

    /// <summary>Takes a waiting job out of the queue (O(1)); nothing when it is not waiting.</summary>
    public void Remove(JobEnvelope job)
    {
        if (job.PendingEntry is { List: { } queue } entry)
        {
            queue.Remove(entry);
            job.PendingEntry = null;
            _byId.Remove(job.Id);
            Count--;
            if (queue.Count == 0)
            {
                _byName.Remove(job.Name);
            }
        }
    }

    /// <summary>The waiting job with this id, if any.</summary>
    public bool TryGet(string jobId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out JobEnvelope? job) =>
        _byId.TryGetValue(jobId, out job);

    /// <summary>Whether any job named <paramref name="name"/> waits.</summary>
    public bool HasWaiting(string name) => _byName.ContainsKey(name);

    /// <summary>
    /// Waiting jobs a node that runs <paramref name="names"/> could take, in the order they should be
    /// offered (oldest first per name). Lazy: the caller stops when the node is full, and may
    /// <see cref="Remove"/> the job it was just handed (and no other) while enumerating.
    /// <paramref name="open"/> is asked before each job is handed out: a name it refuses (at its
    /// <c>DistributorOptions.Limit</c>) is skipped at once instead of job by job.
    /// </summary>
    public IEnumerable<JobEnvelope> Candidates(IEnumerable<string> names, Func<string, bool>? open = null)
    {
        foreach (var name in names)
        {
            foreach (var job in Waiting(name))
            {
                if (open is not null && !open(name))
                {
                    break;
                }
                yield return job;
            }
        }
    }

    /// <summary>How many jobs named <paramref name="name"/> wait.</summary>
    public int CountOf(string name) => _byName.GetValueOrDefault(name)?.Count ?? 0;

    /// <summary>The jobs named <paramref name="name"/>, oldest first; the caller may remove the job it was just handed.</summary>
    public IEnumerable<JobEnvelope> Waiting(string name)
    {
        var entry = _byName.GetValueOrDefault(name)?.First;
        while (entry is not null)
        {
            // Read before handing the job out: removing it unlinks the entry.
            var next = entry.Next;
            yield return entry.Value;
            entry = next;
        }
    }

    /// <summary>Every waiting job whose deadline has passed.</summary>
    public List<JobEnvelope> Expired(DateTimeOffset now) =>
        _byName.Values.SelectMany(q => q).Where(j => j.Deadline <= now).ToList();

    /// <summary>How many jobs wait per name.</summary>
    public List<(string Name, int Count)> CountByName() => _byName.Select(p => (p.Key, p.Value.Count)).ToList();

    /// <summary>Per name: how many wait and since when the longest-waiting one waits.</summary>
    public List<(string Name, int Count, DateTimeOffset OldestSince)> Summaries() =>
        // FIFO per name, so the first entry has waited longest (a job handed back by a lost node
        // queues at the end: its wait for a node starts again).
        _byName.Select(p => (p.Key, p.Value.Count, p.Value.First!.Value.PendingSince)).ToList();
}
