namespace Reactor.Distribution;

/// <summary>
/// Jobs waiting for a node, in one FIFO queue per job name so a node that connects or returns
/// credit only looks at jobs it can run. Guarded by the dispatcher's lock.
/// </summary>
internal sealed class PendingJobs
{
    private readonly Dictionary<string, LinkedList<JobEnvelope>> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JobEnvelope> _byId = new(StringComparer.Ordinal);

    public int Count { get; private set; }

    /// <summary>Job names with at least one waiting job.</summary>
    public IEnumerable<string> Names => _byName.Keys;

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

    /// <summary>The waiting jobs named <paramref name="name"/>, oldest first (a snapshot is not taken: do not modify while iterating).</summary>
    public LinkedList<JobEnvelope>? For(string name) => _byName.GetValueOrDefault(name);

    /// <summary>Every waiting job whose deadline has passed.</summary>
    public List<JobEnvelope> Expired(DateTimeOffset now) =>
        _byName.Values.SelectMany(q => q).Where(j => j.Deadline <= now).ToList();

    public List<(string Name, int Count)> CountByName() => _byName.Select(p => (p.Key, p.Value.Count)).ToList();

    public bool TryGet(string jobId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out JobEnvelope? job) =>
        _byId.TryGetValue(jobId, out job);
}
