using MessagePack;

namespace Reactor.Protocol.Messages;

/// <summary>
/// A job for the node. Times are absolute Unix milliseconds so a deferred job keeps its slot
/// however long it waits in buffers; zero means "not set".
/// </summary>
[MessagePackObject]
public sealed record Dispatch(
    [property: Key(0)] string JobId,
    [property: Key(1)] string Name,
    [property: Key(2)] JobArgs Args,
    [property: Key(3)] long RunAtUnixMs,
    [property: Key(4)] long PeriodMs,
    [property: Key(5)] bool Defer,
    [property: Key(6)] int MaxAttempt,
    [property: Key(7)] long RetryMultiplierMs,
    [property: Key(8)] long TimeoutMs) : IReactorMessage
{
    /// <summary>
    /// <see cref="Args"/> already encoded as a MessagePack map (by <c>MessageCodec.EncodeArgs</c>), written
    /// as-is instead of encoding the args again on every send. Not a wire field: the frame is the same
    /// either way. Empty means "encode <see cref="Args"/>".
    /// </summary>
    [IgnoreMember]
    public ReadOnlyMemory<byte> EncodedArgs { get; init; }

    /// <summary>
    /// The W3C <c>traceparent</c> of the span that enqueued the job, so the node's span joins its trace; null
    /// when the enqueuer had none. Optional and trailing: written only when set, so a Dispatch without it is
    /// byte for byte what peers that predate it send. A receiver ignores one that is not a str, is longer than
    /// <see cref="Diagnostics.ReactorTracing.MaxTraceContextBytes"/> or does not parse: the job still runs.
    /// Wire key 9, written by <c>DispatchFormatter</c> alone (the generated formatter would write nil when
    /// absent, and the untraced frame must stay the nine-field one).
    /// </summary>
    [IgnoreMember]
    public string? TraceParent { get; init; }

    /// <summary>The W3C <c>tracestate</c> that goes with <see cref="TraceParent"/>, or null; wire key 10. Never sent without it.</summary>
    [IgnoreMember]
    public string? TraceState { get; init; }

    /// <summary>
    /// A cron expression (5 fields, or 6 with seconds first) for a job that runs on a calendar instead of a
    /// fixed period; null when the job is not a cron job. Wire key 11, trailing and optional like the trace
    /// context: written (with keys 9 and 10 as nil when there is no trace context) only for cron jobs.
    /// </summary>
    [IgnoreMember]
    public string? Cron { get; init; }

    /// <summary>The IANA or Windows time zone id <see cref="Cron"/> is read in; null means UTC. Wire key 12.</summary>
    [IgnoreMember]
    public string? TimeZone { get; init; }

    /// <summary>
    /// What a cron job does when its slot passed while no node held it (a node down, an app restarted):
    /// 0 runs it once now, 1 skips to the next slot. Wire key 13.
    /// </summary>
    [IgnoreMember]
    public int CronMisfire { get; init; }
}

/// <summary>
/// A job's outcome. A periodic job sends one non-final success per run; every job ends with exactly
/// one final result from the node that finished it. <see cref="Outcome"/> alone decides how the job
/// ended; <see cref="Error"/> is the one text saying why it did not succeed (protocol.md section 7.5).
/// </summary>
[MessagePackObject]
public sealed record Result(
    [property: Key(0)] string JobId,
    [property: Key(1)] JobOutcome Outcome,
    [property: Key(2)] JobArgs Args,
    [property: Key(3)] string? Error,
    [property: Key(4)] bool Final,
    [property: Key(5)] int Attempt) : IReactorMessage
{
    /// <summary>
    /// Why the job ended as it did (protocol version 2, wire key 6). Optional and trailing: written only when
    /// it is not <see cref="JobOutcomeReason.Unspecified"/>, so a result without it is byte for byte what a
    /// version 1 node sends. Written and read by <c>ResultFormatter</c>.
    /// </summary>
    [IgnoreMember]
    public JobOutcomeReason Reason { get; init; }

    /// <summary>
    /// This result as a peer speaking <paramref name="version"/> must see it. Version 1 had no
    /// <see cref="Reason"/>, and reported a job that cancelled itself without an error text (its distributors
    /// run the success feedback for it, as they promised their applications); every other result is the same.
    /// </summary>
    public Result ForVersion(int version)
    {
        if (version >= ProtocolLimits.ResultReasonVersion || Reason == JobOutcomeReason.Unspecified)
        {
            return this;
        }
        if (Reason != JobOutcomeReason.CancelledByJob)
        {
            return this with { Reason = JobOutcomeReason.Unspecified };
        }
        var args = Args.Clone();
        args.Remove("error");
        return this with { Args = args, Error = null, Reason = JobOutcomeReason.Unspecified };
    }
}

/// <summary>The node will accept <see cref="Count"/> more jobs on top of what it was already granted.</summary>
[MessagePackObject]
public sealed record Credit([property: Key(0)] int Count) : IReactorMessage;

/// <summary>Cancel a queued, deferred, periodic or running job.</summary>
[MessagePackObject]
public sealed record Cancel([property: Key(0)] string JobId) : IReactorMessage;

/// <summary>The distributor has recorded the final result of <see cref="JobId"/>.</summary>
[MessagePackObject]
public sealed record ResultAck([property: Key(0)] string JobId) : IReactorMessage;

/// <summary>
/// Protocol version 3: the distributor has recorded the final results numbered <see cref="First"/> to
/// <see cref="First"/> + <see cref="Count"/> − 1 on this connection. Final results are numbered by the order
/// they arrive on a connection, from 1; the number is not on the wire (protocol.md section 7.5). It replaces
/// the <see cref="ResultAck"/> per job on a version 3 connection: one message for a run of results, and no
/// job id for the node to decode.
/// </summary>
/// <param name="First">The number of the first result recorded (1 for the connection's first final result).</param>
/// <param name="Count">How many results, from <paramref name="First"/> on, were recorded; at least 1.</param>
[MessagePackObject]
public sealed record ResultAckRange([property: Key(0)] long First, [property: Key(1)] int Count) : IReactorMessage;
