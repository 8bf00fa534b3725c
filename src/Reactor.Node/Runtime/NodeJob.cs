using System.Buffers;
using Reactor.Node.Links;
using Reactor.Protocol.Framing;

namespace Reactor.Node.Runtime;

/// <summary>
/// A job held by this node. Owned by the reactor loop: no other thread touches it. Kept small, because
/// a node may hold a million of them parked on timers: a packed record, args encoded while parked, and
/// the rarely used lists created on first use.
/// </summary>
internal sealed class NodeJob(NodeJobRecord record, JobArgs originalArgs, DistributorLink? link)
{
    /// <summary>An empty args map, encoded: shared by every job that has no args.</summary>
    private static readonly byte[] EmptyArgs = [0x80];

    /// <summary>Decoded original args; null while they are held encoded (parked).</summary>
    private JobArgs? _args = originalArgs;

    /// <summary>The original args as MessagePack, once the job has parked; decoded afresh for each attempt.</summary>
    private byte[]? _encodedArgs;

    private List<Protocol.Messages.IReactorMessage>? _waiting;

    private long _dueAt = long.MinValue;

    public NodeJobRecord Record { get; } = record;

    /// <summary>
    /// A fresh copy of the args the job was enqueued with: each attempt and each periodic run starts
    /// from one, so one attempt's leftovers never leak into the next.
    /// </summary>
    public JobArgs NewArgs() => _args?.Clone() ?? JobArgsSerializer.Deserialize(_encodedArgs!);

    /// <summary>The original args for a store write (shared, not copied: nothing modifies them).</summary>
    public JobArgs StoredArgs() => _args ?? JobArgsSerializer.Deserialize(_encodedArgs!);

    /// <summary>
    /// Trades the decoded args for their encoding (about 40 bytes for a small map instead of ~260 for a
    /// dictionary and its boxes) while the job waits on a timer. <paramref name="buffer"/> is the loop's scratch.
    /// </summary>
    public void EncodeArgs(ArrayBufferWriter<byte> buffer)
    {
        if (_args is not { } args)
        {
            return;
        }
        if (args.Count == 0)
        {
            _encodedArgs = EmptyArgs;
        }
        else
        {
            buffer.ResetWrittenCount();
            JobArgsSerializer.Serialize(args, buffer);
            _encodedArgs = buffer.WrittenSpan.ToArray();
        }
        _args = null;
    }

    /// <summary>
    /// Where results and publishes go: the connection (and distributor) that sent the job, or the one
    /// that re-sent it (adoption). Null for a job resumed from storage until a link to its distributor
    /// comes up: its messages wait in <see cref="Waiting"/> meanwhile. Written on the loop under the
    /// node's route lock, after the waiting messages were flushed, so a reader that sees it set
    /// sends behind them.
    /// </summary>
    public DistributorLink? Link { get; set; } = link;

    /// <summary>The link generation the job belongs to; a job from an older generation was re-dispatched elsewhere.</summary>
    public int LinkGeneration { get; set; }

    /// <summary>Messages of a resumed job whose distributor has no live link yet, in send order (route lock); created on first use.</summary>
    public List<Protocol.Messages.IReactorMessage> Waiting => _waiting ??= [];

    /// <summary>
    /// The connection this attempt's first publish went on (route lock). An attempt whose publishes went
    /// on a connection that has since dropped or been replaced may have lost some of them, so its
    /// outcome is void: the distributor's newer dispatch owns the job.
    /// </summary>
    public DistributorLink? PublishedOn { get; set; }

    /// <summary>The generation of <see cref="PublishedOn"/>.</summary>
    public int PublishedGeneration { get; set; }

    /// <summary>True once this attempt published (its publishes may still wait in <see cref="Waiting"/>).</summary>
    public bool Published { get; set; }

    public string Id => Record.Id;

    /// <summary>The slot the current run was due at; periodic runs keep to slots spaced by the period.</summary>
    public DateTimeOffset? DueAt
    {
        get => _dueAt == long.MinValue ? null : new DateTimeOffset(_dueAt, TimeSpan.Zero);
        set => _dueAt = value?.UtcTicks ?? long.MinValue;
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
    public Task StoreTail { get; set; } = Task.CompletedTask;

    /// <summary>The W3C traceparent the Dispatch carried (null when it had none, or the job was resumed from storage).</summary>
    public string? TraceParent { get; init; }

    /// <summary>The tracestate that came with <see cref="TraceParent"/>.</summary>
    public string? TraceState { get; init; }

    /// <summary>The running attempt's consumer span; null when nobody listens to the Reactor source.</summary>
    public System.Diagnostics.Activity? Span { get; set; }

    /// <summary>Bumped per attempt so a timed-out attempt that finishes late is recognised and ignored.</summary>
    public int AttemptToken { get; set; }
}
