namespace Reactor.Workflows;

public sealed partial class WorkflowEngine
{
    /// <summary>
    /// Renews this engine's lease and adopts unfinished workflows nobody drives: those this engine's
    /// previous life left (first run only), those of engines whose lease expired, and those created
    /// without an engine (<c>reactor workflow start</c>). Adoption is a compare-and-set on the owner,
    /// so two engines never adopt the same workflow. Also completes waiters of workflows another engine ended.
    /// </summary>
    private async Task SweepAsync(bool firstRun)
    {
        await Store.RenewLeaseAsync(Name, _options.LeaseTtl).ConfigureAwait(false);
        foreach (var id in await Store.ActiveAsync().ConfigureAwait(false))
        {
            if (_stopping.IsCancellationRequested)
            {
                return;
            }
            var record = await Store.LoadAsync(id).ConfigureAwait(false);
            if (record is null || !_definitions.ContainsKey(record.Name))
            {
                continue;
            }
            var owner = record.Owner;
            var adopt = owner is null || owner.Length == 0
                || (owner == Name ? firstRun : !await Store.LeaseAliveAsync(owner).ConfigureAwait(false));
            if (adopt && (owner == Name || await Store.ClaimAsync(id, owner, Name).ConfigureAwait(false)))
            {
                LogAdopted(_logger, id, owner ?? "(none)");
                await ContinueAsync(id).ConfigureAwait(false);
            }
        }
        await LetGoOfStoppedAsync().ConfigureAwait(false);
        foreach (var id in _waiters.Keys)
        {
            if (await ResultIfEndedAsync(id).ConfigureAwait(false) is { } ended)
            {
                Complete(ended);
            }
        }
    }

    /// <summary>
    /// Cancels the jobs this engine runs for workflows someone else paused, cancelled or ended
    /// (<see cref="WorkflowClient"/>, the dashboard): their results would be ignored, and a resume
    /// runs them again.
    /// </summary>
    private async Task LetGoOfStoppedAsync()
    {
        foreach (var id in _inflight.Keys.Select(d => d.WorkflowId).Distinct(StringComparer.Ordinal).ToList())
        {
            if (await Store.LoadAsync(id).ConfigureAwait(false) is not { Status: WorkflowStatus.Running })
            {
                Abandon(id);
            }
        }
    }

    private async Task SweepSafelyAsync()
    {
        // Timer ticks overlap when a sweep is slow; one at a time is enough.
        if (Interlocked.Exchange(ref _sweeping, 1) == 1)
        {
            return;
        }
        try
        {
            await SweepAsync(firstRun: false).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogSweepFailed(_logger, e.Message);
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }

    /// <summary>For tests: take over a workflow regardless of its owner's lease, re-sending its pending tasks.</summary>
    internal async Task AdoptAsync(string id)
    {
        var record = await Store.LoadAsync(id).ConfigureAwait(false);
        if (record is not null && (record.Owner == Name || await Store.ClaimAsync(id, record.Owner, Name).ConfigureAwait(false)))
        {
            await ContinueAsync(id).ConfigureAwait(false);
        }
    }
}
