using Reactor.Protocol.Messages;

namespace Reactor.Protocol.Flows;

/// <summary>
/// What the node attaches to the args of a running attempt so job code can publish through them.
/// Kept beside the args (not inside them) so it never reaches the wire or the job's result. Public for
/// node implementations (<c>Reactor.Node</c> derives from it); job code uses <see cref="Flow"/> instead.
/// </summary>
public abstract class FlowContext
{
    private int _nextIndex;

    /// <summary>A context for one attempt of job <paramref name="jobId"/> on a node of <paramref name="service"/> (or none).</summary>
    protected FlowContext(string jobId, string? service)
    {
        JobId = jobId;
        Service = service;
    }

    /// <summary>The running job's id: what its publishes are derived from.</summary>
    public string JobId { get; }

    /// <summary>The node's service, or null.</summary>
    public string? Service { get; }

    /// <summary>Hands out publish indices in call order; an attempt starts again from zero.</summary>
    public int NextIndex() => Interlocked.Increment(ref _nextIndex) - 1;

    /// <summary>Sends one publish to the distributor that sent the job; throws when it cannot.</summary>
    public abstract void Send(Publish publish);

    /// <summary>Attaches <paramref name="context"/> to an attempt's args (replacing an earlier attempt's).</summary>
    /// <remarks>Held by the args object itself: a weak table cost a GC handle and a table entry per attempt.</remarks>
    public static void Attach(JobArgs args, FlowContext context) => args.Flow = context;

    /// <summary>The context attached to <paramref name="args"/>; throws when they are not a running job's.</summary>
    public static FlowContext Of(JobArgs args) =>
        args.Flow is { } context
            ? context
            : throw new InvalidOperationException(
                "these args do not belong to a running job: publish from job code, with the args the job received");
}
