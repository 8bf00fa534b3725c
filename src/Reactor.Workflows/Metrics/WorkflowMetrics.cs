using System.Diagnostics.Metrics;
using Reactor.Metrics;

namespace Reactor.Workflows.Metrics;

/// <summary>
/// The workflow engine's instruments on its own <c>Reactor</c> meter. Counted where the store's
/// compare-and-set succeeded, so several engines on one Redis count each transition once. Workflow
/// and step names come from definitions (code), so they need no cap.
/// </summary>
internal sealed class WorkflowMetrics : IDisposable
{
    private readonly Meter _meter = ReactorMeter.Create();
    private readonly Counter<long> _stepsStarted;
    private readonly Counter<long> _stepsFinished;
    private readonly Histogram<double> _duration;

    public WorkflowMetrics()
    {
        _stepsStarted = _meter.CreateCounter<long>("reactor.workflow.steps.started", "{step}",
            "Workflow steps started (their tasks sent).");
        _stepsFinished = _meter.CreateCounter<long>("reactor.workflow.steps.finished", "{step}",
            "Workflow steps that ended, by outcome (succeeded: all tasks finished; failed: a task failed after its retries).");
        _duration = _meter.CreateHistogram<double>("reactor.workflow.duration", "s",
            "Time from a workflow's creation to its end, by outcome (succeeded, failed, cancelled).",
            advice: ReactorMeter.Buckets(ReactorMeter.DurationBuckets));
    }

    /// <summary>The meter, for tests that listen to one engine only.</summary>
    public Meter Meter => _meter;

    /// <summary>Whether ending a workflow should look up its start (a store read only a listener pays for).</summary>
    public bool DurationEnabled => _duration.Enabled;

    public void StepStarted(string workflow, string step) =>
        _stepsStarted.Add(1, new(ReactorMeter.WorkflowTag, workflow), new(ReactorMeter.StepTag, step));

    public void StepFinished(string workflow, string step, bool succeeded) =>
        _stepsFinished.Add(1, new(ReactorMeter.WorkflowTag, workflow), new(ReactorMeter.StepTag, step),
            new(ReactorMeter.OutcomeTag, succeeded ? ReactorMeter.Succeeded : ReactorMeter.Failed));

    public void Ended(string workflow, TimeSpan elapsed, string outcome) =>
        _duration.Record(Math.Max(0, elapsed.TotalSeconds), new(ReactorMeter.WorkflowTag, workflow), new(ReactorMeter.OutcomeTag, outcome));

    public void Dispose() => _meter.Dispose();
}
