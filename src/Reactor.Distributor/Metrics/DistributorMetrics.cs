using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Reactor.Metrics;

namespace Reactor.Distributor.Metrics;

/// <summary>
/// The distributor's instruments on its own <c>Reactor</c> meter. Hot-path methods are one
/// <c>Enabled</c> check when nobody listens, and one dictionary lookup plus an <c>Add</c> or
/// <c>Record</c> when someone does: tags are passed inline, never allocated per job.
/// </summary>
internal sealed class DistributorMetrics : IDisposable
{
    private readonly Meter _meter = ReactorMeter.Create();
    private readonly BoundedNames _names;
    private readonly Counter<long> _enqueued;
    private readonly Counter<long> _redispatched;
    private readonly Histogram<double> _queueWait;
    private readonly Counter<long> _published;
    private readonly Counter<long> _claimsRefused;
    private readonly TimeProvider _time;

    public DistributorMetrics(TimeProvider time, ILogger logger)
    {
        _time = time;
        _names = new BoundedNames(ReactorMeter.MaxJobNames, logger, "distributor");
        _enqueued = _meter.CreateCounter<long>("reactor.jobs.enqueued", "{job}",
            "Jobs accepted by Enqueue (and tasks published by fork/join).");
        _redispatched = _meter.CreateCounter<long>("reactor.jobs.redispatched", "{job}",
            "Jobs sent out again because the node holding them left or was lost.");
        _queueWait = _meter.CreateHistogram<double>("reactor.job.queue_wait", "s",
            "Time from Enqueue until the distributor first sends the job to a node.",
            advice: ReactorMeter.Buckets(ReactorMeter.DurationBuckets));
        _published = _meter.CreateCounter<long>("reactor.flow.tasks.published", "{task}",
            "Fork/join tasks published by job code and scheduled (first claim of their position).");
        _claimsRefused = _meter.CreateCounter<long>("reactor.flow.claims.refused", "{task}",
            "Fork/join publishes refused because their position was already claimed (a re-run publishing again).");
    }

    /// <summary>The meter, for tests that listen to one distributor only.</summary>
    public Meter Meter => _meter;

    /// <summary>A timestamp for <see cref="JobEnvelope.EnqueuedAt"/>, or 0 when nobody measures queue wait (no clock read).</summary>
    public long EnqueueTimestamp() => _queueWait.Enabled ? _time.GetTimestamp() : 0;

    public void Enqueued(string name)
    {
        if (_enqueued.Enabled)
        {
            _enqueued.Add(1, new KeyValuePair<string, object?>(ReactorMeter.JobNameTag, _names.Get(name)));
        }
    }

    /// <summary>Called under the dispatcher's lock as the job goes to a node: first sends only.</summary>
    public void Dispatched(JobEnvelope job)
    {
        if (job.Dispatches == 1 && job.EnqueuedAt != 0 && _queueWait.Enabled)
        {
            _queueWait.Record(_time.GetElapsedTime(job.EnqueuedAt).TotalSeconds,
                new KeyValuePair<string, object?>(ReactorMeter.JobNameTag, _names.Get(job.Name)));
        }
    }

    public void Redispatched(JobEnvelope job)
    {
        if (_redispatched.Enabled)
        {
            _redispatched.Add(1, new KeyValuePair<string, object?>(ReactorMeter.JobNameTag, _names.Get(job.Name)));
        }
    }

    public void TaskPublished(string name)
    {
        if (_published.Enabled)
        {
            _published.Add(1, new KeyValuePair<string, object?>(ReactorMeter.JobNameTag, _names.Get(name)));
        }
    }

    public void ClaimRefused(string name)
    {
        if (_claimsRefused.Enabled)
        {
            _claimsRefused.Add(1, new KeyValuePair<string, object?>(ReactorMeter.JobNameTag, _names.Get(name)));
        }
    }

    /// <summary>
    /// The gauges read the dispatcher and the feedback registry when a listener collects, so they
    /// cost nothing between collections.
    /// </summary>
    public void Observe(Dispatcher dispatcher, Func<int> feedbacksHeld)
    {
        _meter.CreateObservableGauge("reactor.jobs.pending", () => PendingByName(dispatcher), "{job}",
            "Jobs waiting in the distributor for a node that can take them, by job name.");
        _meter.CreateObservableGauge("reactor.jobs.in_flight", () => dispatcher.InFlightCount, "{job}",
            "Jobs sent to a node and not settled yet.");
        _meter.CreateObservableGauge("reactor.nodes.connected", () => dispatcher.NodeCount, "{node}",
            "Nodes connected to the distributor.");
        _meter.CreateObservableGauge("reactor.feedbacks.held", feedbacksHeld, "{feedback}",
            "Feedback lambdas and result waiters registered and not yet delivered.");
    }

    private IEnumerable<Measurement<int>> PendingByName(Dispatcher dispatcher)
    {
        // Names over the cap are summed into one "other" measurement instead of one each.
        var byTag = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (name, count) in dispatcher.PendingByName())
        {
            var tag = _names.Get(name);
            byTag[tag] = byTag.GetValueOrDefault(tag) + count;
        }
        return byTag.Select(p => new Measurement<int>(p.Value, new KeyValuePair<string, object?>(ReactorMeter.JobNameTag, p.Key)));
    }

    public void Dispose() => _meter.Dispose();
}
