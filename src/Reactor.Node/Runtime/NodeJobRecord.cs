using Reactor.Storage;

namespace Reactor.Node.Runtime;

/// <summary>
/// The fields of a <see cref="JobRecord"/> a node keeps for each job it holds, packed: times as UTC
/// ticks with a sentinel for "none" instead of nullable <see cref="DateTimeOffset"/>/<see cref="TimeSpan"/>
/// (24 and 16 bytes each), no args (the <see cref="NodeJob"/> keeps them, encoded while parked), no node
/// name (the node knows its own), and the fields only a failed job needs in a side object. It is the
/// base of <see cref="NodeJob"/> rather than an object of its own: a million parked jobs each save an
/// object header and a reference. A <see cref="JobRecord"/> is built from it only when a durable store
/// needs a copy to write. Owned by the reactor loop.
/// </summary>
internal abstract class NodeJobRecord(string id, string name)
{
    /// <summary>Marks a time field as unset (a null in <see cref="JobRecord"/>).</summary>
    protected const long None = long.MinValue;

    private long _runAt = None;
    private long _makeAfter = None;
    private long _period = None;
    private long _retryMultiplier = None;
    private long _timeout = None;
    private NodeJobExtras? _extras;

    public string Id { get; } = id;

    public string Name { get; } = name;

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

    /// <summary>When the job is next due, or null to run now.</summary>
    public DateTimeOffset? RunAt { get => ToTime(_runAt); set => _runAt = value?.UtcTicks ?? None; }

    public TimeSpan? MakeAfter { get => ToSpan(_makeAfter); set => _makeAfter = value?.Ticks ?? None; }

    public TimeSpan? Period { get => ToSpan(_period); set => _period = value?.Ticks ?? None; }

    public TimeSpan? RetryMultiplier { get => ToSpan(_retryMultiplier); set => _retryMultiplier = value?.Ticks ?? None; }

    public TimeSpan? Timeout { get => ToSpan(_timeout); set => _timeout = value?.Ticks ?? None; }

    public string? LastError
    {
        get => _extras?.LastError;
        set
        {
            if (value is not null || _extras is not null)
            {
                Extras.LastError = value;
            }
        }
    }

    public DateTimeOffset? FailedAt
    {
        get => ToTime(_extras?.FailedAt ?? None);
        set
        {
            if (value is not null || _extras is not null)
            {
                Extras.FailedAt = value?.UtcTicks ?? None;
            }
        }
    }

    /// <summary>The cron expression of a cron job, or null.</summary>
    public string? Cron { get => _extras?.Cron; set => SetRare(value, static (e, v) => e.Cron = v); }

    /// <summary>The time zone <see cref="Cron"/> is read in; null means UTC.</summary>
    public string? TimeZone { get => _extras?.TimeZone; set => SetRare(value, static (e, v) => e.TimeZone = v); }

    /// <summary>A cron job's misfire policy (see <see cref="JobRecord.CronMisfire"/>).</summary>
    public int CronMisfire
    {
        get => _extras?.CronMisfire ?? 0;
        set
        {
            if (value != 0 || _extras is not null)
            {
                Extras.CronMisfire = value;
            }
        }
    }

    /// <summary>The last progress the attempt reported, from 0 to 1, or null.</summary>
    public double? Progress
    {
        get => _extras?.Progress;
        set
        {
            if (value is not null || _extras is not null)
            {
                Extras.Progress = value;
            }
        }
    }

    /// <summary>The message of the last progress report, or null.</summary>
    public string? ProgressMessage { get => _extras?.ProgressMessage; set => SetRare(value, static (e, v) => e.ProgressMessage = v); }

    /// <summary>Fields most jobs never set, created on first use.</summary>
    private protected NodeJobExtras Extras => _extras ??= new NodeJobExtras();

    /// <summary>Sets a rare string field; a null for a job without the side object creates nothing.</summary>
    private void SetRare(string? value, Action<NodeJobExtras, string?> set)
    {
        if (value is not null || _extras is not null)
        {
            set(Extras, value);
        }
    }

    /// <summary>The failed attempts kept for the dashboard (see <see cref="JobRecord.FailedAttempts"/>); held in the side object, so a job that never fails pays nothing.</summary>
    public IReadOnlyList<JobAttemptError> FailedAttempts
    {
        get => _extras?.FailedAttempts ?? [];
        set
        {
            if (value.Count > 0 || _extras is not null)
            {
                Extras.FailedAttempts = value.Count > 0 ? value : null;
            }
        }
    }

    public void AddFailedAttempt(int attempt, DateTimeOffset at, string error) =>
        FailedAttempts = JobRecord.WithFailedAttempt(FailedAttempts, attempt, at, error);

    /// <summary>The side object if it exists (reading a rare field must not create it).</summary>
    private protected NodeJobExtras? ExtrasIfAny => _extras;

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
        Cron = Cron,
        TimeZone = TimeZone,
        CronMisfire = CronMisfire,
        Progress = Progress,
        ProgressMessage = ProgressMessage,
        FailedAttempts = FailedAttempts,
    };

    /// <summary>Sets the fields a Dispatch carries, from its raw values (zero or less means "not set").</summary>
    protected void SetFromWire(string distributor, long runAtUnixMs, long periodMs, bool defer, int maxAttempt, long retryMultiplierMs, long timeoutMs)
    {
        Distributor = distributor;
        Defer = defer;
        MaxAttempt = maxAttempt;
        _runAt = runAtUnixMs > 0 ? DateTime.UnixEpoch.Ticks + (runAtUnixMs * TimeSpan.TicksPerMillisecond) : None;
        _period = SpanTicks(periodMs);
        _retryMultiplier = SpanTicks(retryMultiplierMs);
        _timeout = SpanTicks(timeoutMs);
    }

    /// <summary>Sets every field from a stored record (resumed at start).</summary>
    protected void SetFromStored(JobRecord stored)
    {
        Distributor = stored.Distributor;
        Status = stored.Status;
        Attempt = stored.Attempt;
        MaxAttempt = stored.MaxAttempt;
        Defer = stored.Defer;
        OnSuccess = stored.OnSuccess;
        OnError = stored.OnError;
        LastError = stored.LastError;
        RunAt = stored.RunAt;
        MakeAfter = stored.MakeAfter;
        FailedAt = stored.FailedAt;
        Period = stored.Period;
        RetryMultiplier = stored.RetryMultiplier;
        Timeout = stored.Timeout;
        Cron = stored.Cron;
        TimeZone = stored.TimeZone;
        CronMisfire = stored.CronMisfire;
        Progress = stored.Progress;
        ProgressMessage = stored.ProgressMessage;
        FailedAttempts = stored.FailedAttempts;
    }

    protected static DateTimeOffset? ToTime(long ticks) => ticks == None ? null : new DateTimeOffset(ticks, TimeSpan.Zero);

    private static TimeSpan? ToSpan(long ticks) => ticks == None ? null : new TimeSpan(ticks);

    private static long SpanTicks(long milliseconds) => milliseconds > 0 ? milliseconds * TimeSpan.TicksPerMillisecond : None;
}

/// <summary>What only some jobs need: failure details, trace context, publish routing, Redis write chaining.</summary>
internal sealed class NodeJobExtras
{
    public string? LastError { get; set; }

    public long FailedAt { get; set; } = long.MinValue;

    public string? TraceParent { get; set; }

    public string? TraceState { get; set; }

    public System.Diagnostics.Activity? Span { get; set; }

    public List<Protocol.Messages.IReactorMessage>? Waiting { get; set; }

    public Links.DistributorLink? PublishedOn { get; set; }

    public int PublishedGeneration { get; set; }

    public bool Published { get; set; }

    public Task StoreTail { get; set; } = Task.CompletedTask;

    public int StoreWrites { get; set; }

    public string? Cron { get; set; }

    public string? TimeZone { get; set; }

    public int CronMisfire { get; set; }

    public double? Progress { get; set; }

    public string? ProgressMessage { get; set; }

    public IReadOnlyList<JobAttemptError>? FailedAttempts { get; set; }
}
