using Reactor.Workflows;
using StackExchange.Redis;

namespace Reactor.Dashboard.Data;

// Workflows live in the workflow store in Redis (WorkflowClient); without Redis there is nothing to read.
internal sealed partial class DashboardReader
{
    /// <summary>Tasks listed on a workflow's page; the step counts cover every task.</summary>
    public const int TasksShown = 200;

    private const string NoRedis =
        "Workflows are kept in Redis by engines with WorkflowOptions.Redis: configure the dashboard's Redis (o.Redis) to show them.";

    public async Task<WorkflowsModel> WorkflowsAsync(WorkflowsQuery query, CancellationToken cancellationToken)
    {
        if (redis is null)
        {
            return new WorkflowsModel(query, [], 0, NoRedis);
        }
        try
        {
            var client = await redis.WorkflowsAsync(cancellationToken).ConfigureAwait(false);
            var page = await client.ListAsync(query.Offset, pageSize, query.ActiveOnly).WaitAsync(cancellationToken).ConfigureAwait(false);
            return new WorkflowsModel(query, page.Items, page.Total, null);
        }
        catch (RedisException e)
        {
            return new WorkflowsModel(query, [], 0, Unreachable(e));
        }
    }

    public async Task<WorkflowModel> WorkflowAsync(string id, CancellationToken cancellationToken)
    {
        if (redis is null)
        {
            return new WorkflowModel(id, null, NoRedis);
        }
        try
        {
            var client = await redis.WorkflowsAsync(cancellationToken).ConfigureAwait(false);
            return new WorkflowModel(id, await client.GetDetailsAsync(id, TasksShown).WaitAsync(cancellationToken).ConfigureAwait(false), null);
        }
        catch (RedisException e)
        {
            return new WorkflowModel(id, null, Unreachable(e));
        }
    }

    public async Task<FlowsModel> FlowsAsync(long offset, CancellationToken cancellationToken)
    {
        if (redis is null)
        {
            return new FlowsModel(offset, [], 0, NoFlowRedis);
        }
        try
        {
            var flows = await redis.FlowsAsync(cancellationToken).ConfigureAwait(false);
            var page = await flows.ListAsync(offset, pageSize).WaitAsync(cancellationToken).ConfigureAwait(false);
            return new FlowsModel(offset, page.Items, page.Total, null);
        }
        catch (RedisException e)
        {
            return new FlowsModel(offset, [], 0, Unreachable(e));
        }
    }

    public async Task<FlowModel> FlowAsync(string scope, CancellationToken cancellationToken)
    {
        if (redis is null)
        {
            return new FlowModel(scope, null, NoFlowRedis);
        }
        try
        {
            var flows = await redis.FlowsAsync(cancellationToken).ConfigureAwait(false);
            return new FlowModel(scope, await flows.GetAsync(scope).WaitAsync(cancellationToken).ConfigureAwait(false), null);
        }
        catch (RedisException e)
        {
            return new FlowModel(scope, null, Unreachable(e));
        }
    }

    private const string NoFlowRedis =
        "Fork/join state is kept in Redis by a distributor with a journal (DistributorOptions.Redis): configure the dashboard's Redis (o.Redis) to show it.";

    /// <summary>Pause, resume or cancel; null for an unknown action.</summary>
    public async Task<ActionOutcome?> ControlWorkflowAsync(string id, string action, CancellationToken cancellationToken)
    {
        if (redis is null)
        {
            return new ActionOutcome(false, NoRedis);
        }
        try
        {
            var client = await redis.WorkflowsAsync(cancellationToken).ConfigureAwait(false);
            Task<bool>? call = action switch
            {
                "pause" => client.PauseAsync(id),
                "resume" => client.ResumeAsync(id),
                "cancel" => client.CancelAsync(id),
                _ => null,
            };
            if (call is null)
            {
                return null;
            }
            return await call.ConfigureAwait(false)
                ? new ActionOutcome(true, action switch
                {
                    "pause" => "Paused: no step starts until it is resumed; the engine cancels its running jobs at its next sweep.",
                    "resume" => "Resumed: an engine adopts it at its next sweep and re-sends the tasks that were in flight.",
                    _ => "Cancelled.",
                })
                : new ActionOutcome(false, $"Could not {action} workflow {id}: it is not in a state that allows it (anymore).");
        }
        catch (RedisException e)
        {
            return new ActionOutcome(false, Unreachable(e));
        }
    }
}
