namespace Reactor.Workflows;

public sealed partial class WorkflowClient
{
    /// <summary>
    /// Workflows newest first, <paramref name="count"/> from <paramref name="offset"/> (ranks in a sorted
    /// set, so a late page costs what the first does). With <paramref name="activeOnly"/>, only running
    /// and paused ones. Ended workflows leave the list once their retention passed; workflows created
    /// by a version before the listing existed are not in it (open them by id).
    /// </summary>
    public Task<WorkflowListPage> ListAsync(long offset = 0, int count = 50, bool activeOnly = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return _store.ListAsync(offset, count, activeOnly);
    }

    /// <summary>
    /// The workflow with every step of its graph (state, task counts), its first <paramref name="maxTasks"/>
    /// tasks and its history; null when unknown or expired after its retention.
    /// </summary>
    public Task<WorkflowDetails?> GetDetailsAsync(string id, int maxTasks = 500)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentOutOfRangeException.ThrowIfNegative(maxTasks);
        return _store.DetailsAsync(id, maxTasks);
    }
}
