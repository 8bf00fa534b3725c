using Reactor.Storage;
using StackExchange.Redis;

namespace Reactor.Dashboard.Data;

/// <summary>What an action did, shown to the operator after the redirect.</summary>
internal sealed record ActionOutcome(bool Ok, string Message, string? JobId = null);

/// <summary>
/// The dashboard's actions. Retry enqueues the job again (same name, the args it was enqueued with,
/// its own attempt, timeout and period options) under a new id and then deletes the failed record, so
/// the failed list shrinks and the new run has its own history. Retry and cancel need the distributor
/// in this process; delete needs Redis.
/// </summary>
internal sealed class DashboardActions(DashboardReader reader)
{
    /// <summary>Bulk actions stop after this many jobs per request, so one click cannot hold a request for minutes.</summary>
    public const int BulkLimit = 1000;

    public async Task<ActionOutcome> RetryAsync(string id, CancellationToken cancellationToken)
    {
        if (reader.Source.Distributor is not { } distributor)
        {
            return new(false, "Retry needs the distributor: open the dashboard the application serves (MapReactorDashboard).");
        }
        if (reader.Redis is null)
        {
            return new(false, "Retry needs the job's record: configure the dashboard's Redis and run nodes with --storage redis.");
        }
        try
        {
            var store = await reader.Redis.StoreAsync(cancellationToken).ConfigureAwait(false);
            var record = await store.LoadAsync(id, cancellationToken).ConfigureAwait(false);
            if (record is null)
            {
                return new(false, $"Job {id} has no record (it expired, was deleted, or never ran on a node with Redis storage).");
            }
            if (record.Status is not (JobStatus.Failed or JobStatus.Cancelled))
            {
                return new(false, $"Job {id} is {StatusNames.Of(record.Status)}; only failed or cancelled jobs are retried.");
            }
            var newId = distributor.Enqueue(record.Name, record.Args, OptionsOf(record));
            await store.DeleteAsync(id, cancellationToken).ConfigureAwait(false);
            return new(true, $"Job {id} enqueued again as {newId}.", newId);
        }
        catch (RedisException e)
        {
            return new(false, DashboardReader.Unreachable(e));
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            return new(false, $"Job {id} was not enqueued again: {e.Message}");
        }
    }

    public ActionOutcome Cancel(string id)
    {
        if (reader.Source.Distributor is not { } distributor)
        {
            return new(false, "Cancel needs the distributor: open the dashboard the application serves (MapReactorDashboard).");
        }
        return distributor.Cancel(id) switch
        {
            CancelResult.Cancelled => new(true, $"Job {id} was cancelled before it reached a node."),
            CancelResult.Requested => new(true, $"Job {id}'s node was told to cancel it; its final result confirms."),
            _ => new(false, $"Job {id} is not waiting or running (unknown id, or already finished)."),
        };
    }

    public async Task<ActionOutcome> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        if (reader.Redis is null)
        {
            return new(false, "Delete removes a job's Redis record; the dashboard has no Redis configured.");
        }
        try
        {
            var store = await reader.Redis.StoreAsync(cancellationToken).ConfigureAwait(false);
            return await store.DeleteAsync(id, cancellationToken).ConfigureAwait(false)
                ? new(true, $"Job {id}'s record was deleted.")
                : new(false, $"Job {id} has no record to delete.");
        }
        catch (RedisException e)
        {
            return new(false, DashboardReader.Unreachable(e));
        }
    }

    /// <summary>Retries or deletes up to <see cref="BulkLimit"/> jobs of one status, newest first; a retried or deleted job leaves the status, so another click goes on with the rest.</summary>
    public async Task<ActionOutcome> BulkAsync(string action, JobStatus status, CancellationToken cancellationToken)
    {
        if (reader.Redis is null)
        {
            return new(false, "Bulk actions work on Redis records; the dashboard has no Redis configured.");
        }
        var done = 0;
        var failed = 0;
        try
        {
            var store = await reader.Redis.StoreAsync(cancellationToken).ConfigureAwait(false);
            var page = await store.PageByStatusAsync(status, 0, DashboardActions.BulkLimit / 2, cancellationToken).ConfigureAwait(false);
            var second = await store.PageByStatusAsync(status, DashboardActions.BulkLimit / 2, DashboardActions.BulkLimit / 2, cancellationToken)
                .ConfigureAwait(false);
            foreach (var record in page.Records.Concat(second.Records))
            {
                var outcome = action == "retry"
                    ? await RetryAsync(record.Id, cancellationToken).ConfigureAwait(false)
                    : await DeleteAsync(record.Id, cancellationToken).ConfigureAwait(false);
                if (outcome.Ok)
                {
                    done++;
                }
                else
                {
                    failed++;
                    if (action == "retry" && reader.Source.Distributor is null)
                    {
                        return outcome;
                    }
                }
            }
        }
        catch (RedisException e)
        {
            return new(false, $"{done} done before: {DashboardReader.Unreachable(e)}");
        }
        var verb = action == "retry" ? "retried" : "deleted";
        return new(failed == 0, $"{done} {StatusNames.Of(status)} jobs {verb}" + (failed > 0 ? $", {failed} could not be" : "") + ".");
    }

    private static EnqueueOptions OptionsOf(JobRecord record) => new()
    {
        MaxAttempt = record.MaxAttempt > 0 ? record.MaxAttempt : null,
        RetryMultiplier = record.RetryMultiplier,
        Timeout = record.Timeout,
        Period = record.Period,
        Defer = record.Defer,
    };
}
