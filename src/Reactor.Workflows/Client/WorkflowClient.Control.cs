using System.Text.Json;
using Reactor.Workflows.Events;
using Reactor.Workflows.Store;

namespace Reactor.Workflows;

// Control from outside the engine. Each call is the same compare-and-set of the status the engine
// makes, with the same history entry, and the event goes into the owning engine's outbox so that
// engine's relay publishes it. The engine notices at its next sweep (WorkflowOptions.SweepInterval):
// it lets go of the jobs it runs for a workflow that is no longer running, and a resumed workflow is
// left without an owner so a sweep adopts it and re-sends its pending tasks.
public sealed partial class WorkflowClient
{
    /// <summary>
    /// Pauses a running workflow: no step starts until it is resumed, and the engine running it cancels
    /// its running jobs at its next sweep (they run again on resume). False if it was not running.
    /// </summary>
    public Task<bool> PauseAsync(string id) =>
        TransitionAsync(id, WorkflowEventTypes.Paused, [WorkflowStatus.Running], WorkflowStatus.Paused, WorkflowOptions.DefaultRetention);

    /// <summary>
    /// Resumes a paused workflow: it runs again once an engine whose definitions include it adopts it at
    /// its next sweep, re-sending the tasks that were in flight. False if it was not paused.
    /// </summary>
    public async Task<bool> ResumeAsync(string id)
    {
        var record = await _store.LoadAsync(id).ConfigureAwait(false);
        if (!await TransitionAsync(id, WorkflowEventTypes.Resumed, [WorkflowStatus.Paused], WorkflowStatus.Running, WorkflowOptions.DefaultRetention)
            .ConfigureAwait(false))
        {
            return false;
        }
        // Released after the status changed: an engine adopting it earlier would find it paused and do nothing.
        if (!string.IsNullOrEmpty(record?.Owner))
        {
            await _store.ClaimAsync(id, record.Owner, "").ConfigureAwait(false);
        }
        return true;
    }

    /// <summary>
    /// Cancels a running or paused workflow; its keys expire after <paramref name="retention"/> (default
    /// seven days, the engine's default). The engine running it cancels its jobs at its next sweep.
    /// False if it had ended or is unknown.
    /// </summary>
    public Task<bool> CancelAsync(string id, TimeSpan? retention = null)
    {
        var keep = retention ?? WorkflowOptions.DefaultRetention;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(keep, TimeSpan.Zero, nameof(retention));
        return TransitionAsync(id, WorkflowEventTypes.Cancelled, [WorkflowStatus.Running, WorkflowStatus.Paused], WorkflowStatus.Cancelled, keep);
    }

    private async Task<bool> TransitionAsync(string id, string type, IReadOnlyList<WorkflowStatus> from, WorkflowStatus to, TimeSpan retention)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        if (await _store.LoadAsync(id).ConfigureAwait(false) is not { } record || !from.Contains(record.Status))
        {
            return false;
        }
        var now = _time.GetUtcNow();
        var fromName = record.Status.ToString().ToLowerInvariant();
        var toName = to.ToString().ToLowerInvariant();
        var transition = JsonSerializer.Serialize(new WorkflowTransition(id, type, null, fromName, toName, now));
        var engine = string.IsNullOrEmpty(record.Owner) ? null : record.Owner;
        var published = new WorkflowEvent
        {
            EventId = Guid.NewGuid().ToString("N"), Type = type, WorkflowId = id, Workflow = record.Name, From = fromName, To = toName, At = now,
        };
        // Without an owner no relay would ever read an outbox entry: the history records it alone.
        var outgoing = new Outgoing(engine ?? "client", [transition], engine is null ? [] : [OutboxEntry.ForEvent(published)]);
        return await _store.SetStatusAsync(id, from, to, null, outgoing, retention).ConfigureAwait(false);
    }
}
