namespace Reactor.Dashboard.Data;

/// <summary>One point of the overview chart: rates over the interval that ended at <see cref="At"/>.</summary>
internal readonly record struct ThroughputPoint(DateTimeOffset At, double JobsPerSecond, double FailuresPerSecond);

/// <summary>
/// Turns the distributor's cumulative outcome counts into jobs/s and failures/s over the last
/// minutes. Sampled when pages are rendered (at most once per <see cref="MinSpacing"/>), so nothing runs
/// while nobody looks; the chart starts with the first viewer.
/// </summary>
internal sealed class ThroughputSampler(TimeProvider time)
{
    public static readonly TimeSpan MinSpacing = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    private readonly Lock _gate = new();
    private readonly Queue<ThroughputPoint> _points = new();
    private (DateTimeOffset At, long Done, long Failed, string Distributor)? _last;

    public IReadOnlyList<ThroughputPoint> Observe(DistributorSnapshot? snapshot)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (snapshot is not null && (_last is not { } last || now - last.At >= MinSpacing))
            {
                var done = snapshot.Outcomes.Succeeded + snapshot.Outcomes.Failed + snapshot.Outcomes.Cancelled;
                // A restarted (or another) distributor starts its counts again: begin a new series.
                if (_last is { } previous && previous.Distributor == snapshot.Id && done >= previous.Done)
                {
                    var seconds = (now - previous.At).TotalSeconds;
                    _points.Enqueue(new ThroughputPoint(now, (done - previous.Done) / seconds, (snapshot.Outcomes.Failed - previous.Failed) / seconds));
                }
                _last = (now, done, snapshot.Outcomes.Failed, snapshot.Id);
            }
            while (_points.Count > 0 && now - _points.Peek().At > Window)
            {
                _points.Dequeue();
            }
            return [.. _points];
        }
    }
}
