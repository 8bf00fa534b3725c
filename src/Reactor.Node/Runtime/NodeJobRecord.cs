using Reactor.Storage;

namespace Reactor.Node.Runtime;

/// <summary>
/// The fields of a <see cref="JobRecord"/> a node keeps for each job it holds, packed: times as UTC
/// ticks with a sentinel for "none" instead of nullable <see cref="DateTimeOffset"/>/<see cref="TimeSpan"/>
/// (24 and 16 bytes each), no args (the <see cref="NodeJob"/> keeps them, encoded while parked) and no
/// node name (the node knows its own). A million parked jobs each hold one; a <see cref="JobRecord"/> is
/// built from it only when a durable store needs a copy to write. Owned by the reactor loop.
/// </summary>
internal sealed class NodeJobRecord
{
    /// <summary>Marks a time field as unset (a null in <see cref="JobRecord"/>).</summary>
    private const long None = long.MinValue;

    private long _runAt = None;
    private long _makeAfter = None;
    private long _failedAt = None;
    private long _period = None;
    private long _retryMultiplier = None;
    private long _timeout = None;

    public required string Id { get; init; }

    public required string Name { get; init; }

    /// <summary>The distributor that sent the job (its id), where the results go.</summary>
    public string Distributor { get; set; } = "";

    public JobStatus Status { get; set; } = JobStatus.New;

    /// <summary>Attempts made so far in the current run (a periodic job counts per run).</summary>
    public int Attempt { get; set; }

    /// <summary>Attempts allowed per run; 0 means the node's default.</summary>
    public int MaxAttempt { get; set; }

    public bool Defer { get; set; }

    public bool OnSuccess { get; set; } = true;

    public bool OnError { get; set; } = true;

    public string? LastError { get; set; }

    /// <summary>When the job is next due, or null to run now.</summary>
    public DateTimeOffset? RunAt { get => ToTime(_runAt); set => _runAt = value?.UtcTicks ?? None; }

    /// <summary>UTC ticks of <see cref="RunAt"/> (no struct built), or <see cref="long.MinValue"/> when unset.</summary>
    public long RunAtTicks => _runAt;

    public TimeSpan? MakeAfter { get => ToSpan(_makeAfter); set => _makeAfter = value?.Ticks ?? None; }

    public DateTimeOffset? FailedAt { get => ToTime(_failedAt); set => _failedAt = value?.UtcTicks ?? None; }

    public TimeSpan? Period { get => ToSpan(_period); set => _period = value?.Ticks ?? None; }

    public TimeSpan? RetryMultiplier { get => ToSpan(_retryMultiplier); set => _retryMultiplier = value?.Ticks ?? None; }

    public TimeSpan? Timeout { get => ToSpan(_timeout); set => _timeout = value?.Ticks ?? None; }

    /// <summary>Sets a span from protocol milliseconds, where zero or less means "not set".</summary>
    public static long SpanTicks(long milliseconds) => milliseconds > 0 ? milliseconds * TimeSpan.TicksPerMillisecond : None;

    /// <summary>UTC ticks from protocol Unix milliseconds, where zero or less means "not set".</summary>
    public static long TimeTicks(long unixMilliseconds) =>
        unixMilliseconds > 0 ? DateTime.UnixEpoch.Ticks + (unixMilliseconds * TimeSpan.TicksPerMillisecond) : None;

    /// <summary>Builds a record from a Dispatch's raw fields, with no intermediate structs.</summary>
    public static NodeJobRecord FromWire(string id, string name, string distributor, long runAtUnixMs, long periodMs,
        bool defer, int maxAttempt, long retryMultiplierMs, long timeoutMs) => new()
    {
        Id = id,
        Name = name,
        Distributor = distributor,
        Defer = defer,
        MaxAttempt = maxAttempt,
        _runAt = TimeTicks(runAtUnixMs),
        _period = SpanTicks(periodMs),
        _retryMultiplier = SpanTicks(retryMultiplierMs),
        _timeout = SpanTicks(timeoutMs),
    };

    /// <summary>The node's view of a stored record (resumed at start).</summary>
    public static NodeJobRecord FromStored(JobRecord stored) => new()
    {
        Id = stored.Id,
        Name = stored.Name,
        Distributor = stored.Distributor,
        Status = stored.Status,
        Attempt = stored.Attempt,
        MaxAttempt = stored.MaxAttempt,
        Defer = stored.Defer,
        OnSuccess = stored.OnSuccess,
        OnError = stored.OnError,
        LastError = stored.LastError,
        RunAt = stored.RunAt,
        MakeAfter = stored.MakeAfter,
        FailedAt = stored.FailedAt,
        Period = stored.Period,
        RetryMultiplier = stored.RetryMultiplier,
        Timeout = stored.Timeout,
    };

    /// <summary>A full record for the store: a copy, so the loop can keep changing this one while the write is in flight.</summary>
    public JobRecord ToStored(JobArgs args, string node) => new()
    {
        Id = Id,
        Name = Name,
        Args = args,
        Node = node,
        Distributor = Distributor,
        Status = Status,
        Attempt = Attempt,
        MaxAttempt = MaxAttempt,
        Defer = Defer,
        OnSuccess = OnSuccess,
        OnError = OnError,
        LastError = LastError,
        RunAt = RunAt,
        MakeAfter = MakeAfter,
        FailedAt = FailedAt,
        Period = Period,
        RetryMultiplier = RetryMultiplier,
        Timeout = Timeout,
    };

    private static DateTimeOffset? ToTime(long ticks) => ticks == None ? null : new DateTimeOffset(ticks, TimeSpan.Zero);

    private static TimeSpan? ToSpan(long ticks) => ticks == None ? null : new TimeSpan(ticks);
}
