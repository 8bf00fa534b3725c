namespace Reactor.Distributor;

/// <summary>
/// Enforces <see cref="DistributorOptions.Limit"/> where the dispatcher sends a job: a job whose name
/// is at its limit stays in the pending queue until a slot or a token frees, and then the dispatcher is
/// told (<c>opened</c>) so it offers that name's waiting jobs again. Every member but the wake-up
/// callback is called under the dispatcher's lock; a name without a limit costs one dictionary lookup
/// and never a Redis round trip. <see cref="LocalNameLimits"/> counts per distributor;
/// <see cref="RedisNameLimits"/> shares the limit with every application instance on one Redis.
/// </summary>
internal abstract class NameLimits
{
    /// <summary>Whether any limit is set: when not, the dispatcher skips every other call.</summary>
    public abstract bool Any { get; }

    /// <summary>The limit on <paramref name="name"/>, if any.</summary>
    public abstract JobLimit? Of(string name);

    /// <summary>
    /// Whether a job named <paramref name="name"/> may start now. When it may not, a wake-up is arranged
    /// (a timer for the next token, a request to Redis) unless one is already on its way.
    /// </summary>
    public abstract bool IsOpen(string name);

    /// <summary>Takes a slot and a token for <paramref name="job"/> (true), or arranges a wake-up (false).</summary>
    public abstract bool TryStart(JobEnvelope job);

    /// <summary>
    /// The job left its node (final result, or the node was lost): its slot is free again. True when
    /// the caller should offer waiting jobs of its name again.
    /// </summary>
    public abstract bool Finished(JobEnvelope job);

    /// <summary>Stops timers and hands back what is held (Redis leases).</summary>
    public virtual Task StopAsync() => Task.CompletedTask;
}
