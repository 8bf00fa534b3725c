namespace Reactor.Distributor.Feedback;

/// <summary>
/// The last final results (a fixed ring) and counts by outcome since start, for the snapshot.
/// Written once per settled job, where the feedback registry decides the outcome: counters are
/// Interlocked, and the ring's lock is held for one array store, so the result path stays cheap.
/// </summary>
internal sealed class ResultLog(TimeProvider time, int capacity = ResultLog.DefaultCapacity)
{
    public const int DefaultCapacity = 100;

    // Entries by value: the snapshot's records are built when it asks, not one object per settled job.
    private readonly Entry[] _ring = new Entry[capacity];
    private readonly Lock _gate = new();
    private long _written;
    private long _succeeded;
    private long _failed;
    private long _cancelled;

    public void Add(string name, JobResult result)
    {
        switch (result.Outcome)
        {
            case JobOutcome.Succeeded:
                Interlocked.Increment(ref _succeeded);
                break;
            case JobOutcome.Cancelled:
                Interlocked.Increment(ref _cancelled);
                break;
            default:
                Interlocked.Increment(ref _failed);
                break;
        }
        var entry = new Entry(result.JobId, name, result.Outcome, result.Error, time.GetUtcNow());
        lock (_gate)
        {
            _ring[_written % _ring.Length] = entry;
            _written++;
        }
    }

    public OutcomeCounts Counts => new(Interlocked.Read(ref _succeeded), Interlocked.Read(ref _failed), Interlocked.Read(ref _cancelled));

    /// <summary>The results in the ring, newest first.</summary>
    public List<RecentResult> Recent()
    {
        lock (_gate)
        {
            var count = (int)Math.Min(_written, _ring.Length);
            var list = new List<RecentResult>(count);
            for (var i = 1; i <= count; i++)
            {
                var entry = _ring[(_written - i) % _ring.Length];
                list.Add(new RecentResult(entry.JobId, entry.Name, entry.Outcome, entry.Error, entry.FinishedAt));
            }
            return list;
        }
    }

    private readonly record struct Entry(string JobId, string Name, JobOutcome Outcome, string? Error, DateTimeOffset FinishedAt);
}
