namespace Reactor;

/// <summary>How and where one job runs. Everything is optional: a job with no options runs now on any free node.</summary>
public sealed record EnqueueOptions
{
    /// <summary>Run after this delay (sub-second delays are honoured).</summary>
    public TimeSpan? After { get; init; }

    /// <summary>Run at this absolute time; it stays absolute however long the job waits. In the past means now.</summary>
    public DateTimeOffset? RunAt { get; init; }

    /// <summary>Run every period, each run sending a success feedback, until cancelled. With After/RunAt the first run waits for them.</summary>
    public TimeSpan? Period { get; init; }

    /// <summary>
    /// Run on a calendar: a cron expression with 5 fields (minute hour day-of-month month day-of-week) or
    /// 6 (seconds first), or a macro such as <c>@daily</c>, read in <see cref="TimeZone"/>. Each run sends a
    /// success feedback, like <see cref="Period"/> (which it excludes), until cancelled. An invalid
    /// expression, or one that never fires (<c>0 0 30 2 *</c>), throws at <c>Enqueue</c> and queues nothing.
    /// With <see cref="After"/>/<see cref="RunAt"/> the first run is the first slot after them.
    /// </summary>
    public string? Cron { get; init; }

    /// <summary>
    /// The time zone <see cref="Cron"/> is read in: an IANA id (<c>Europe/Paris</c>) or a Windows id
    /// (<c>Romance Standard Time</c>); null means UTC. Daylight saving: a slot in a spring-forward gap
    /// runs right after the gap, and a slot in a fall-back overlap runs once unless the hour field is
    /// <c>*</c> or a step (then it runs in both hours).
    /// </summary>
    public string? TimeZone { get; init; }

    /// <summary>What a cron job does about slots that passed while no node could run it (see <see cref="Reactor.CronMisfire"/>).</summary>
    public CronMisfire Misfire { get; init; }

    /// <summary>
    /// Deduplicates jobs: while a job enqueued with this key is unfinished (and for at most
    /// <see cref="UniqueFor"/>), enqueueing another one with the same key runs nothing new and returns the
    /// first job's id. The duplicate's feedback lambdas are attached to that job when this application
    /// instance enqueued it; when another instance holds the key (shared <see cref="DistributorOptions.Redis"/>),
    /// they never run and <c>EnqueueAsync</c> throws <see cref="DuplicateJobException"/>. The key is released
    /// when the job's final result is recorded (success, failure, cancellation, timeout), or when it starts
    /// with <see cref="UniqueUntil"/> <see cref="Reactor.UniqueUntil.Start"/>, or after
    /// <see cref="UniqueFor"/> whatever became of it. At most 512 characters, no control characters. With
    /// Redis the key is shared by every distributor with the same <see cref="DistributorOptions.KeyPrefix"/>
    /// (one atomic claim, so two applications racing never both run a job); without it, per distributor.
    /// </summary>
    public string? UniqueKey { get; init; }

    /// <summary>The longest a <see cref="UniqueKey"/> is held, even if its job never finishes (its app died). Default: 1 day.</summary>
    public TimeSpan? UniqueFor { get; init; }

    /// <summary>
    /// How long <see cref="UniqueKey"/> is held: until the job's final result (<see cref="Reactor.UniqueUntil.Finish"/>,
    /// the default), or only until it starts (<see cref="Reactor.UniqueUntil.Start"/>): then a job enqueued with
    /// the key while the first one runs is a new job. See <see cref="Reactor.UniqueUntil.Start"/> for what
    /// "starts" means.
    /// </summary>
    public UniqueUntil UniqueUntil { get; init; }

    /// <summary>Longest accepted <see cref="UniqueKey"/>, in characters.</summary>
    public const int MaxUniqueKeyLength = 512;

    /// <summary>How long a unique key is held when <see cref="UniqueFor"/> is not given.</summary>
    public static readonly TimeSpan DefaultUniqueFor = TimeSpan.FromDays(1);

    /// <summary>
    /// Which waiting job a node gets first when jobs wait for credit: high before normal before low, oldest
    /// first within a level, across job names. A job that has waited <see cref="DistributorOptions.PriorityAging"/>
    /// (default 30 s) goes ahead of every job that has waited less, so low priority never starves. A job that
    /// finds a node with free credit is sent at once whatever its priority; a node starts what it is sent in
    /// arrival order.
    /// </summary>
    public JobPriority Priority { get; init; }

    /// <summary>Run the job body on the node's thread pool (bounded) instead of its reactor loop: for blocking work.</summary>
    public bool Defer { get; init; }

    /// <summary>Prefer this node (see <see cref="DistributorOptions.AlwaysUseSpecifiedNode"/>).</summary>
    public string? Node { get; init; }

    /// <summary>Never run on this node.</summary>
    public string? NotNode { get; init; }

    /// <summary>Attempts allowed (per run for periodic jobs), overriding the node's default.</summary>
    public int? MaxAttempt { get; init; }

    /// <summary>Retry delay unit, overriding the node's default.</summary>
    public TimeSpan? RetryMultiplier { get; init; }

    /// <summary>
    /// How many nodes may be lost while running this job before it fails instead of being dispatched
    /// again, overriding <see cref="DistributorOptions.MaxDispatches"/>. Not kept by the durable
    /// journal: a job recovered after an application restart uses the distributor's default.
    /// </summary>
    public int? MaxDispatches { get; init; }

    /// <summary>
    /// Longest one attempt may run on a node before it counts as failed; also how long the job may
    /// wait for a node that can take it before it fails with an error feedback. Job code that blocks
    /// the node's reactor thread past it (no <see cref="Defer"/>) fails for good, without a retry,
    /// and the node moves its loop to a fresh thread.
    /// </summary>
    public TimeSpan? Timeout { get; init; }

    internal void Validate()
    {
        if (Period is { } period && period <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Period), period, "Period must be positive");
        }
        if (After is { } after && after < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(After), after, "After must not be negative");
        }
        if (After is not null && RunAt is not null)
        {
            throw new ArgumentException("give After or RunAt, not both");
        }
        if (MaxAttempt is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxAttempt), MaxAttempt, "MaxAttempt must be at least 1");
        }
        if (MaxDispatches is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxDispatches), MaxDispatches, "MaxDispatches must be at least 1");
        }
        if (RetryMultiplier is { } multiplier && multiplier < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(RetryMultiplier), multiplier, "RetryMultiplier must not be negative");
        }
        if (Timeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Timeout), timeout, "Timeout must be positive");
        }
        if (Cron is not null && Period is not null)
        {
            throw new ArgumentException("give Cron or Period, not both");
        }
        if (Cron is null && TimeZone is not null)
        {
            throw new ArgumentException("TimeZone applies to Cron; give a Cron expression with it", nameof(TimeZone));
        }
        if (!Enum.IsDefined(Priority))
        {
            throw new ArgumentOutOfRangeException(nameof(Priority), Priority, "unknown JobPriority");
        }
        if (!Enum.IsDefined(Misfire))
        {
            throw new ArgumentOutOfRangeException(nameof(Misfire), Misfire, "unknown CronMisfire");
        }
        if (UniqueKey is { } key)
        {
            if (string.IsNullOrWhiteSpace(key) || key.Length > MaxUniqueKeyLength)
            {
                throw new ArgumentException($"UniqueKey must be 1 to {MaxUniqueKeyLength} characters and not blank; this one has {key.Length}", nameof(UniqueKey));
            }
            for (var i = 0; i < key.Length; i++)
            {
                if (char.IsControl(key[i]))
                {
                    throw new ArgumentException($"UniqueKey holds a control character (U+{(int)key[i]:X4}) at index {i}", nameof(UniqueKey));
                }
            }
        }
        if (UniqueUntil != UniqueUntil.Finish && (UniqueKey is null || !Enum.IsDefined(UniqueUntil)))
        {
            throw UniqueKey is null
                ? new ArgumentException("UniqueUntil applies to UniqueKey; give a UniqueKey with it", nameof(UniqueUntil))
                : new ArgumentOutOfRangeException(nameof(UniqueUntil), UniqueUntil, "unknown UniqueUntil");
        }
        if (UniqueFor is { } uniqueFor && (uniqueFor <= TimeSpan.Zero || UniqueKey is null))
        {
            throw new ArgumentException(UniqueKey is null ? "UniqueFor applies to UniqueKey; give a UniqueKey with it" : "UniqueFor must be positive", nameof(UniqueFor));
        }
        if (Node is not null && Node == NotNode)
        {
            throw new ArgumentException($"Node and NotNode both name '{Node}'");
        }
    }
}

/// <summary>What a cron job does when one or more of its slots passed while no node ran it (a node down or restarting, the app restarting).</summary>
public enum CronMisfire
{
    /// <summary>Run once as soon as a node has it (however many slots were missed), then keep to the calendar.</summary>
    RunOnce = 0,

    /// <summary>Skip the missed slots and wait for the next one.</summary>
    Skip = 1,
}

/// <summary>The order in which jobs waiting for credit are offered to nodes (see <see cref="EnqueueOptions.Priority"/>).</summary>
public enum JobPriority
{
    /// <summary>The default.</summary>
    Normal = 0,

    /// <summary>Offered before normal and low jobs.</summary>
    High = 1,

    /// <summary>Offered after high and normal jobs (until it has waited <see cref="DistributorOptions.PriorityAging"/>).</summary>
    Low = -1,
}

/// <summary>When a job releases its <see cref="EnqueueOptions.UniqueKey"/> (see <see cref="EnqueueOptions.UniqueUntil"/>).</summary>
public enum UniqueUntil
{
    /// <summary>When its final result is recorded (success, failure, cancellation, timeout): no second job while it waits or runs.</summary>
    Finish = 0,

    /// <summary>
    /// When it starts: when the distributor hands it to a node that has free credit for it (such a node starts a
    /// due job as it arrives), or at its due time when that is later (<see cref="EnqueueOptions.After"/>,
    /// <see cref="EnqueueOptions.RunAt"/>, <see cref="EnqueueOptions.Cron"/>; the node holds it until then). Jobs
    /// waiting for credit keep the key. The protocol has no "started" message, so this is the distributor's
    /// view: if the node is lost before it ran the job, the copy sent again runs even when a newer job with the
    /// key was enqueued meanwhile. The key is still released on the final result (a job cancelled or failed
    /// before it started) and after <see cref="EnqueueOptions.UniqueFor"/>.
    /// </summary>
    Start = 1,
}
