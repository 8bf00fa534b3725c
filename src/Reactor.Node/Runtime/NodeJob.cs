using System.Buffers;
using Reactor.Node.Links;
using Reactor.Protocol.Framing;
using Reactor.Storage;

namespace Reactor.Node.Runtime;

/// <summary>
/// A job held by this node. Owned by the reactor loop: no other thread touches it. Kept small, because
/// a node may hold a million of them parked on timers: the packed record is its base class, the args
/// wait encoded while it is parked, and fields few jobs use (trace context, publish routing, failure
/// details, Redis write chaining) live in a side object created on first use.
/// </summary>
internal sealed class NodeJob : NodeJobRecord
{
    /// <summary>An empty args map, encoded: shared by every parked job that has no args.</summary>
    private static readonly byte[] EmptyArgs = [0x80];

    /// <summary>The original args: a <see cref="JobArgs"/>, or its MessagePack bytes once the job has parked.</summary>
    private object _args;

    private long _dueAt = None;

    private NodeJob(string id, string name, JobArgs args, DistributorLink? link)
        : base(id, name)
    {
        _args = args;
        Link = link;
    }

    /// <summary>A job as a Dispatch brings it (raw fields: zero or less means "not set").</summary>
    public static NodeJob FromWire(string id, string name, JobArgs args, DistributorLink link, string distributor,
        long runAtUnixMs, long periodMs, bool defer, int maxAttempt, long retryMultiplierMs, long timeoutMs)
    {
        var job = new NodeJob(id, name, args, link);
        job.SetFromWire(distributor, runAtUnixMs, periodMs, defer, maxAttempt, retryMultiplierMs, timeoutMs);
        return job;
    }

    /// <summary>A job resumed from storage; it has no connection until one adopts it.</summary>
    public static NodeJob FromStored(JobRecord stored)
    {
        var job = new NodeJob(stored.Id, stored.Name, stored.Args, null);
        job.SetFromStored(stored);
        return job;
    }

    /// <summary>The job's record fields (this object: the record is packed into the job).</summary>
    public NodeJobRecord Record => this;

    /// <summary>
    /// A fresh copy of the args the job was enqueued with: each attempt and each periodic run starts
    /// from one, so one attempt's leftovers never leak into the next.
    /// </summary>
    public JobArgs NewArgs() => _args is JobArgs args ? args.Clone() : JobArgsSerializer.Deserialize((byte[])_args);

    /// <summary>The original args for a store write (shared, not copied: nothing modifies them).</summary>
    public JobArgs StoredArgs() => _args as JobArgs ?? JobArgsSerializer.Deserialize((byte[])_args);

    /// <summary>
    /// Trades the decoded args for their encoding (about 40 bytes for a small map instead of ~260 for a
    /// dictionary and its boxes) while the job waits on a timer. <paramref name="buffer"/> is the loop's scratch.
    /// </summary>
    public void EncodeArgs(ArrayBufferWriter<byte> buffer)
    {
        if (_args is not JobArgs args)
        {
            return;
        }
        if (args.Count == 0)
        {
            _args = EmptyArgs;
            return;
        }
        buffer.ResetWrittenCount();
        JobArgsSerializer.Serialize(args, buffer);
        _args = buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Where results and publishes go: the connection (and distributor) that sent the job, or the one
    /// that re-sent it (adoption). Null for a job resumed from storage until a link to its distributor
    /// comes up: its messages wait in <see cref="Waiting"/> meanwhile. Written on the loop under the
    /// node's route lock, after the waiting messages were flushed, so a reader that sees it set
    /// sends behind them.
    /// </summary>
    public DistributorLink? Link { get; set; }

    /// <summary>The link generation the job belongs to; a job from an older generation was re-dispatched elsewhere.</summary>
    public int LinkGeneration { get; set; }

    /// <summary>Messages of a resumed job whose distributor has no live link yet, in send order (route lock); created on first use.</summary>
    public List<Protocol.Messages.IReactorMessage> Waiting => Extras.Waiting ??= [];

    /// <summary>
    /// The connection this attempt's first publish went on (route lock). An attempt whose publishes went
    /// on a connection that has since dropped or been replaced may have lost some of them, so its
    /// outcome is void: the distributor's newer dispatch owns the job.
    /// </summary>
    public DistributorLink? PublishedOn
    {
        get => ExtrasIfAny?.PublishedOn;
        set
        {
            if (value is not null || ExtrasIfAny is not null)
            {
                Extras.PublishedOn = value;
            }
        }
    }

    /// <summary>The generation of <see cref="PublishedOn"/>.</summary>
    public int PublishedGeneration
    {
        get => ExtrasIfAny?.PublishedGeneration ?? 0;
        set
        {
            if (value != 0 || ExtrasIfAny is not null)
            {
                Extras.PublishedGeneration = value;
            }
        }
    }

    /// <summary>True once this attempt published (its publishes may still wait in <see cref="Waiting"/>).</summary>
    public bool Published
    {
        get => ExtrasIfAny?.Published ?? false;
        set
        {
            if (value || ExtrasIfAny is not null)
            {
                Extras.Published = value;
            }
        }
    }

    /// <summary>The slot the current run was due at; periodic runs keep to slots spaced by the period.</summary>
    public DateTimeOffset? DueAt
    {
        get => ToTime(_dueAt);
        set => _dueAt = value?.UtcTicks ?? None;
    }

    public bool Running { get; set; }

    /// <summary>When the current attempt started (a <c>TimeProvider</c> timestamp), for the logged duration.</summary>
    public long AttemptStarted { get; set; }

    public bool CancelRequested { get; set; }

    /// <summary>Set once the job has been forgotten; a timer firing for it later does nothing.</summary>
    public bool Ended { get; set; }

    /// <summary>A dispatched job holds one credit until it finishes or first parks on a timer.</summary>
    public bool CreditReturned { get; set; }

    /// <summary>The last store write issued for this job; the next one waits for it (Redis only).</summary>
    public Task StoreTail
    {
        get => ExtrasIfAny?.StoreTail ?? Task.CompletedTask;
        set => Extras.StoreTail = value;
    }

    /// <summary>
    /// Numbers this job's store writes (and hand-backs, which end its claim on the record); a failed
    /// write is retried only while it is still the latest (see ReactorNode.Store.cs).
    /// </summary>
    public int StoreWrites
    {
        get => ExtrasIfAny?.StoreWrites ?? 0;
        set => Extras.StoreWrites = value;
    }

    /// <summary>The W3C traceparent the Dispatch carried (null when it had none, or the job was resumed from storage).</summary>
    public string? TraceParent => ExtrasIfAny?.TraceParent;

    /// <summary>The tracestate that came with <see cref="TraceParent"/>.</summary>
    public string? TraceState => ExtrasIfAny?.TraceState;

    /// <summary>Keeps the trace context a Dispatch carried, for the attempt spans.</summary>
    public void SetTraceContext(string traceParent, string? traceState)
    {
        Extras.TraceParent = traceParent;
        Extras.TraceState = traceState;
    }

    /// <summary>The running attempt's consumer span; null when nobody listens to the Reactor source.</summary>
    public System.Diagnostics.Activity? Span
    {
        get => ExtrasIfAny?.Span;
        set
        {
            if (value is not null || ExtrasIfAny is not null)
            {
                Extras.Span = value;
            }
        }
    }

    /// <summary>The running attempt's token, progress gate and DI scope; null between attempts.</summary>
    public AttemptRun? Run { get; set; }

    /// <summary>Bumped per attempt so a timed-out attempt that finishes late is recognised and ignored.</summary>
    public int AttemptToken { get; set; }
}
