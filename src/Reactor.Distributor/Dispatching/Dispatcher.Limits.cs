using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Reactor.Distributor;

// DistributorOptions.Limit: the dispatcher asks NameLimits before every send and tells it when a job
// leaves its node; everything else about limits (counting, tokens, Redis) lives in NameLimits.
internal sealed partial class Dispatcher
{
    private NameLimits? _limits;

    /// <summary>Per distributor until <see cref="UseRedisLimits"/> makes the limits global.</summary>
    private NameLimits Limits => _limits ??= new LocalNameLimits(options.JobLimits, time, Reopen);

    /// <summary>Passed to <see cref="PendingJobs.Candidates"/>: null (no check at all) when no limit is set.</summary>
    private Func<string, bool>? LimitFilter => Limits.Any ? Limits.IsOpen : null;

    /// <summary>
    /// Shares the limits with every application instance on this Redis. Called once, before any node
    /// can connect (nothing holds a slot yet).
    /// </summary>
    public void UseRedisLimits(IDatabase db, string keyPrefix, ILogger logger)
    {
        if (options.JobLimits.Count == 0)
        {
            return;
        }
        lock (_gate)
        {
            _limits = new RedisNameLimits(db, keyPrefix, options.JobLimits, options.LimitLeaseTtl, time, logger, Reopen, WaitingOf);
        }
    }

    /// <summary>The limit on jobs named <paramref name="name"/>, for error messages.</summary>
    public JobLimit? LimitOf(string name) => Limits.Of(name);

    /// <summary>Stops the limits' timers and hands back Redis leases (the distributor is stopping).</summary>
    public Task StopLimitsAsync() => Limits.StopAsync();

    /// <summary>
    /// A slot or token of <paramref name="name"/> became free outside a dispatcher call (a timer, a Redis
    /// answer): its waiting jobs are offered to nodes with room.
    /// </summary>
    private void Reopen(string name)
    {
        lock (_gate)
        {
            DrainName(name);
        }
    }

    private int WaitingOf(string name) => _pending.CountOf(name);

    /// <summary>The one check before a job goes to a node: takes its slot and token, or leaves it waiting.</summary>
    private bool MayStart(JobEnvelope job) => !Limits.Any || Limits.TryStart(job);

    /// <summary>The job left its node: its slot frees, and jobs waiting for that slot are offered.</summary>
    private void ReleaseLimit(JobEnvelope job)
    {
        if (job.HoldsLimit && Limits.Finished(job))
        {
            DrainName(job.Name);
        }
    }

    /// <summary>Frees the slots of jobs a lost node held; returns the names to offer again once they are re-queued.</summary>
    private List<string> ReleaseLimits(List<JobEnvelope> jobs)
    {
        var reopened = new List<string>();
        foreach (var job in jobs)
        {
            if (job.HoldsLimit && Limits.Finished(job) && !reopened.Contains(job.Name))
            {
                reopened.Add(job.Name);
            }
        }
        return reopened;
    }

    private void DrainNames(List<string> names)
    {
        foreach (var name in names)
        {
            DrainName(name);
        }
    }

    /// <summary>Sends waiting jobs of one name to whichever nodes have room, while its limit allows.</summary>
    private void DrainName(string name)
    {
        // Checked before the limit is asked: a Redis-backed limit would otherwise take permits no node can use.
        if (!HasRoomFor(name))
        {
            return;
        }
        foreach (var job in _pending.Candidates([name], LimitFilter))
        {
            var node = Pick(job);
            if (node is not null && MayStart(job))
            {
                _pending.Remove(job);
                SendTo(node, job);
                if (!HasRoomFor(name))
                {
                    return;
                }
            }
        }
    }

    private bool HasRoomFor(string name) =>
        _nodes.Exists(n => n.Accepting && n.Suspect is null && n.Credit > 0 && n.JobNames.Contains(name));
}
