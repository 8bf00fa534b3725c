using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Reactor.Metrics;
using Reactor.Protocol.Messages;

namespace Reactor.Node.Metrics;

/// <summary>
/// The node's instruments on its own <c>Reactor</c> meter, tagged with the job name, this node's
/// name and its storage. Every hot-path method checks <c>Enabled</c> first, so a node nobody
/// listens to pays one branch per event; tags go in a stack-only <see cref="TagList"/>.
/// </summary>
internal sealed class NodeMetrics : IDisposable
{
    private readonly Meter _meter = ReactorMeter.Create();
    private readonly BoundedNames _names;
    private readonly TimeProvider _time;
    private readonly string _node;
    private readonly string _storage;
    private readonly Counter<long> _completed;
    private readonly Counter<long> _retried;
    private readonly Histogram<double> _duration;
    private readonly Histogram<double> _loopLag;

    public NodeMetrics(string node, string storage, TimeProvider time, ILogger logger)
    {
        _node = node;
        _storage = storage;
        _time = time;
        _names = new BoundedNames(ReactorMeter.MaxJobNames, logger, $"node '{node}'");
        _completed = _meter.CreateCounter<long>("reactor.jobs.completed", "{job}",
            "Jobs that ended on this node with a final result, by outcome (succeeded, failed, cancelled).");
        _retried = _meter.CreateCounter<long>("reactor.jobs.retried", "{job}",
            "Failed attempts parked for another try.");
        _duration = _meter.CreateHistogram<double>("reactor.job.duration", "s",
            "Run time of one attempt on the node: job body and callbacks (errbacks not included), by the attempt's outcome.",
            advice: ReactorMeter.Buckets(ReactorMeter.DurationBuckets));
        _loopLag = _meter.CreateHistogram<double>("reactor.node.loop_lag", "s",
            "How late the reactor loop started a job that was due on a timer (deferred, periodic, retry).",
            advice: ReactorMeter.Buckets(ReactorMeter.LagBuckets));
    }

    /// <summary>The meter, for tests that listen to one node only.</summary>
    public Meter Meter => _meter;

    /// <summary>A start timestamp for <see cref="AttemptEnded"/>, or 0 when nobody measures durations.</summary>
    public long AttemptStarted() => _duration.Enabled ? _time.GetTimestamp() : 0;

    public void AttemptEnded(string name, long started, JobOutcome outcome)
    {
        if (started != 0 && _duration.Enabled)
        {
            var tags = Tags(name);
            tags.Add(ReactorMeter.OutcomeTag, OutcomeOf(outcome));
            _duration.Record(_time.GetElapsedTime(started).TotalSeconds, tags);
        }
    }

    public void Completed(string name, JobOutcome outcome)
    {
        if (_completed.Enabled)
        {
            var tags = Tags(name);
            tags.Add(ReactorMeter.OutcomeTag, OutcomeOf(outcome));
            _completed.Add(1, tags);
        }
    }

    public void Retried(string name)
    {
        if (_retried.Enabled)
        {
            _retried.Add(1, Tags(name));
        }
    }

    /// <summary>A timer-due job starts now; <paramref name="due"/> is when it should have.</summary>
    public void DueWorkStarted(DateTimeOffset? due)
    {
        if (due is { } at && _loopLag.Enabled)
        {
            var late = _time.GetUtcNow() - at;
            _loopLag.Record(Math.Max(0, late.TotalSeconds), new KeyValuePair<string, object?>(ReactorMeter.NodeNameTag, _node));
        }
    }

    /// <summary>
    /// Gauges read node state when a listener collects. The counts are owned by the reactor loop and
    /// read here from the collecting thread: a value a moment stale is fine for a gauge, and taking the
    /// loop for it would make collection wait behind job code.
    /// </summary>
    public void Observe(Func<int> held, Func<int> running, Func<int> timers)
    {
        var node = new KeyValuePair<string, object?>(ReactorMeter.NodeNameTag, _node);
        _meter.CreateObservableGauge("reactor.node.jobs.held", () => new Measurement<int>(held(), node), "{job}",
            "Jobs this node holds: running, waiting on a timer, or waiting for a run slot.");
        _meter.CreateObservableGauge("reactor.node.jobs.running", () => new Measurement<int>(running(), node), "{job}",
            "Job attempts running on this node now.");
        _meter.CreateObservableGauge("reactor.node.timers", () => new Measurement<int>(timers(), node), "{timer}",
            "Deferred, periodic and retrying jobs parked on this node's timer queue.");
    }

    public void Dispose() => _meter.Dispose();

    private TagList Tags(string name) => new()
    {
        { ReactorMeter.JobNameTag, _names.Get(name) },
        { ReactorMeter.NodeNameTag, _node },
        { ReactorMeter.StorageTag, _storage },
    };

    private static string OutcomeOf(JobOutcome outcome) => outcome switch
    {
        JobOutcome.Succeeded => ReactorMeter.Succeeded,
        JobOutcome.Cancelled => ReactorMeter.Cancelled,
        _ => ReactorMeter.Failed,
    };
}
