namespace Reactor.Distributor;

/// <summary>
/// Jobs waiting for a node, in FIFO queues per job name so a node that connects or returns credit
/// only looks at jobs it can run. Guarded by the dispatcher's lock.
/// The dispatcher uses nothing but the members below: the order jobs are offered in
/// (<see cref="Candidates"/>) is this class's business; per-name limits reach it only as the filter
/// <c>Candidates</c> is given.
/// Priorities (<see cref="JobPriority"/>): each name keeps one FIFO per level; jobs are offered high,
/// then normal, then low, except that a job that has waited the aging bound
/// (<c>DistributorOptions.PriorityAging</c>) is offered before every job that has not, oldest first
/// whatever its level. So once a job has aged, no job enqueued after it is offered before it: that is
/// the starvation bound.
/// </summary>
internal sealed class PendingJobs(TimeProvider time, TimeSpan aging)
{
    /// <summary>Levels in the order they are offered.</summary>
    private const int Levels = 3;

    private readonly Dictionary<string, NameQueue> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JobEnvelope> _byId = new(StringComparer.Ordinal);

    /// <summary>How many jobs wait.</summary>
    public int Count { get; private set; }

    /// <summary>Job names with at least one waiting job.</summary>
    public IEnumerable<string> Names => _byName.Keys;

    /// <summary>Queues a job behind every waiting job of its name and priority; its wait starts at <paramref name="now"/>.</summary>
    public void Add(JobEnvelope job, DateTimeOffset now)
    {
        job.PendingSince = now;
        if (!_byName.TryGetValue(job.Name, out var queue))
        {
            _byName[job.Name] = queue = new NameQueue();
        }
        job.PendingEntry = queue.Level[Level(job.Priority)].AddLast(job);
        queue.Count++;
        _byId[job.Id] = job;
        Count++;
    }

    /// <summary>Takes a waiting job out of the queue (O(1)); nothing when it is not waiting.</summary>
    public void Remove(JobEnvelope job)
    {
        if (job.PendingEntry is { List: { } list } entry)
        {
            list.Remove(entry);
            job.PendingEntry = null;
            _byId.Remove(job.Id);
            Count--;
            var queue = _byName[job.Name];
            if (--queue.Count == 0)
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
    /// offered: first every job that has waited the aging bound, oldest first whatever its level; then
    /// high, normal and low, oldest first within a level across the names. Lazy: the caller stops when
    /// the node is full, and may <see cref="Remove"/> the job it was just handed (and no other) while
    /// enumerating.
    /// <paramref name="open"/> is asked before each job is handed out: a name it refuses (at its
    /// <c>DistributorOptions.Limit</c>) is dropped from the offer at once instead of job by job.
    /// </summary>
    public IEnumerable<JobEnvelope> Candidates(IEnumerable<string> names, Func<string, bool>? open = null)
    {
        var queues = new List<NameQueue>();
        foreach (var name in names)
        {
            if (_byName.TryGetValue(name, out var queue))
            {
                queues.Add(queue);
            }
        }
        var aged = time.GetUtcNow() - aging;
        foreach (var job in Oldest(queues.SelectMany(q => q.Level).Select(l => l.First), aged, open))
        {
            yield return job;
        }
        for (var level = 0; level < Levels; level++)
        {
            // Each list starts with its aged jobs, all offered above (the caller did not stop): not twice.
            foreach (var job in Oldest(queues.Select(q => After(q.Level[level], aged)), null, open))
            {
                yield return job;
            }
        }
    }

    /// <summary>How many jobs named <paramref name="name"/> wait.</summary>
    public int CountOf(string name) => _byName.GetValueOrDefault(name)?.Count ?? 0;

    /// <summary>Every job named <paramref name="name"/> (in no promised order); the caller may remove the job it was just handed.</summary>
    public IEnumerable<JobEnvelope> Waiting(string name) =>
        _byName.TryGetValue(name, out var queue) ? queue.Level.SelectMany(Drain) : [];

    /// <summary>Every waiting job whose deadline has passed.</summary>
    public List<JobEnvelope> Expired(DateTimeOffset now) =>
        _byName.Values.SelectMany(q => q.Level).SelectMany(l => l).Where(j => j.Deadline <= now).ToList();

    /// <summary>How many jobs wait per name.</summary>
    public List<(string Name, int Count)> CountByName() => _byName.Select(p => (p.Key, p.Value.Count)).ToList();

    /// <summary>Per name: how many wait and since when the longest-waiting one waits.</summary>
    public List<(string Name, int Count, DateTimeOffset OldestSince)> Summaries() =>
        // FIFO per level, so each level's first entry has waited longest there (a job handed back by a
        // lost node queues at the end: its wait for a node starts again).
        _byName.Select(p => (p.Key, p.Value.Count, p.Value.Level.Where(l => l.First is not null).Min(l => l.First!.Value.PendingSince))).ToList();

    /// <summary>
    /// The jobs from each of <paramref name="starts"/> to the end of its list, oldest first, stopping in
    /// each list at the first job younger than <paramref name="until"/> when given: a merge of FIFO lists,
    /// each ordered by <see cref="JobEnvelope.PendingSince"/> because <see cref="Add"/> appends with the
    /// current time. A list whose job's name <paramref name="open"/> refuses is dropped whole.
    /// </summary>
    private static IEnumerable<JobEnvelope> Oldest(
        IEnumerable<LinkedListNode<JobEnvelope>?> starts, DateTimeOffset? until, Func<string, bool>? open)
    {
        var heads = starts.OfType<LinkedListNode<JobEnvelope>>().Where(h => Within(h, until)).ToList();
        while (heads.Count > 0)
        {
            var pick = 0;
            for (var i = 1; i < heads.Count; i++)
            {
                if (heads[i].Value.PendingSince < heads[pick].Value.PendingSince)
                {
                    pick = i;
                }
            }
            var entry = heads[pick];
            if (open is not null && !open(entry.Value.Name))
            {
                heads.RemoveAt(pick);
                continue;
            }
            // Read before handing the job out: removing it unlinks the entry.
            if (entry.Next is { } next && Within(next, until))
            {
                heads[pick] = next;
            }
            else
            {
                heads.RemoveAt(pick);
            }
            yield return entry.Value;
        }
    }

    private static bool Within(LinkedListNode<JobEnvelope> entry, DateTimeOffset? until) =>
        until is not { } limit || entry.Value.PendingSince <= limit;

    /// <summary>The first job of <paramref name="list"/> that has waited less than the aging bound (younger than <paramref name="aged"/>).</summary>
    private static LinkedListNode<JobEnvelope>? After(LinkedList<JobEnvelope> list, DateTimeOffset aged)
    {
        var entry = list.First;
        while (entry is not null && entry.Value.PendingSince <= aged)
        {
            entry = entry.Next;
        }
        return entry;
    }

    private static IEnumerable<JobEnvelope> Drain(LinkedList<JobEnvelope> list)
    {
        var entry = list.First;
        while (entry is not null)
        {
            // Read before handing the job out: removing it unlinks the entry.
            var next = entry.Next;
            yield return entry.Value;
            entry = next;
        }
    }

    private static int Level(JobPriority priority) => priority switch
    {
        JobPriority.High => 0,
        JobPriority.Low => 2,
        _ => 1,
    };

    /// <summary>One name's waiting jobs, one FIFO per priority level.</summary>
    private sealed class NameQueue
    {
        public LinkedList<JobEnvelope>[] Level { get; } = [new(), new(), new()];

        public int Count { get; set; }
    }
}
