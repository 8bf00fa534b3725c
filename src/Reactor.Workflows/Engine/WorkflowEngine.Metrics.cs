namespace Reactor.Workflows;

public sealed partial class WorkflowEngine
{
    /// <summary>This engine's instruments (tests listen to its meter alone).</summary>
    internal Metrics.WorkflowMetrics Metrics => _metrics;

    /// <summary>
    /// Records the duration of a workflow that failed or was cancelled. Those paths do not hold the
    /// record, so its start is read back, and only when someone listens.
    /// </summary>
    private async Task RecordEndAsync(string id, string outcome)
    {
        if (!_metrics.DurationEnabled)
        {
            return;
        }
        if (await Store.LoadAsync(id).ConfigureAwait(false) is { } record)
        {
            _metrics.Ended(record.Name, _time.GetUtcNow() - record.CreatedAt, outcome);
        }
    }
}
