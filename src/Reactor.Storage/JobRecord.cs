namespace Reactor.Storage;

/// <summary>
/// A job as a node stores it: JobReactor's record fields plus the per-job options Reactor adds.
/// Times are absolute so a record means the same thing after a restart.
/// </summary>
public sealed class JobRecord
{
    /// <summary>Version of this record's layout; a reader skips records from a newer version.</summary>
    public const int CurrentFormatVersion = 1;

    /// <summary>Unique job id (assigned by the distributor).</summary>
    public required string Id { get; init; }
    /// <summary>The job's name in the jobs directory.</summary>
    public required string Name { get; init; }
    /// <summary>The args as they were enqueued (each attempt starts from these).</summary>
    public required JobArgs Args { get; set; }
    /// <summary>The node holding the job.</summary>
    public required string Node { get; set; }
    /// <summary>The distributor that sent it (its id), where the results go.</summary>
    public string Distributor { get; set; } = "";
    /// <summary>Current status.</summary>
    public JobStatus Status { get; set; } = JobStatus.New;
    /// <summary>Attempts made so far in the current run (a periodic job counts per run).</summary>
    public int Attempt { get; set; }
    /// <summary>When the job is next due (absolute), or null to run now.</summary>
    public DateTimeOffset? RunAt { get; set; }
    /// <summary>Delay of the next attempt after the last save, as JobReactor's make_after.</summary>
    public TimeSpan? MakeAfter { get; set; }
    /// <summary>When the last attempt failed.</summary>
    public DateTimeOffset? FailedAt { get; set; }
    /// <summary>The last attempt's error.</summary>
    public string? LastError { get; set; }
    /// <summary>Period of a periodic job.</summary>
    public TimeSpan? Period { get; set; }
    /// <summary>The cron expression of a cron job (its runs follow the calendar instead of <see cref="Period"/>), or null.</summary>
    public string? Cron { get; set; }
    /// <summary>The IANA or Windows time zone <see cref="Cron"/> is read in; null means UTC.</summary>
    public string? TimeZone { get; set; }
    /// <summary>For a cron job whose slot passed while nothing ran it: 0 runs it once now, 1 skips to the next slot.</summary>
    public int CronMisfire { get; set; }
    /// <summary>Run the job body on the thread pool instead of the reactor loop.</summary>
    public bool Defer { get; set; }
    /// <summary>Attempts allowed per run; 0 means the node's default.</summary>
    public int MaxAttempt { get; set; }
    /// <summary>Retry delay unit; null means the node's default.</summary>
    public TimeSpan? RetryMultiplier { get; set; }
    /// <summary>Longest one attempt may take; null means no limit.</summary>
    public TimeSpan? Timeout { get; set; }
    /// <summary>True when the app registered a success feedback (JobReactor's on_success).</summary>
    public bool OnSuccess { get; set; } = true;
    /// <summary>True when the app registered an error feedback (JobReactor's on_error).</summary>
    public bool OnError { get; set; } = true;
    /// <summary>The last progress the running (or last) attempt reported, from 0 to 1; null when it reported none.</summary>
    public double? Progress { get; set; }
    /// <summary>The message of the last progress report, or null.</summary>
    public string? ProgressMessage { get; set; }
    /// <summary>
    /// The last failed attempts, oldest first, at most <see cref="MaxFailedAttempts"/> (older ones are
    /// dropped), each with its error and stack. Empty for a job that never failed, so a record only
    /// grows when an attempt fails. Replaced, never modified in place, so a <see cref="Snapshot"/> keeps its own.
    /// </summary>
    public IReadOnlyList<JobAttemptError> FailedAttempts { get; set; } = [];
    /// <summary>How many failed attempts <see cref="FailedAttempts"/> keeps.</summary>
    public const int MaxFailedAttempts = 10;
    /// <summary>The longest error text one entry of <see cref="FailedAttempts"/> keeps (a deep stack is cut).</summary>
    public const int MaxAttemptErrorLength = 4000;

    /// <summary>Adds a failed attempt to <see cref="FailedAttempts"/>, dropping the oldest beyond <see cref="MaxFailedAttempts"/>.</summary>
    public void AddFailedAttempt(int attempt, DateTimeOffset at, string error) =>
        FailedAttempts = WithFailedAttempt(FailedAttempts, attempt, at, error);

    /// <summary>
    /// A new history: <paramref name="history"/> plus one failed attempt (its error cut to
    /// <see cref="MaxAttemptErrorLength"/>), without the oldest entries beyond <see cref="MaxFailedAttempts"/>.
    /// </summary>
    public static IReadOnlyList<JobAttemptError> WithFailedAttempt(IReadOnlyList<JobAttemptError> history, int attempt, DateTimeOffset at, string error)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(error);
        var text = error.Length <= MaxAttemptErrorLength ? error : error[..MaxAttemptErrorLength];
        return [.. history.Skip(Math.Max(0, history.Count - MaxFailedAttempts + 1)), new JobAttemptError(attempt, at, text)];
    }

    /// <summary>Layout version of this record.</summary>
    public int FormatVersion { get; set; } = CurrentFormatVersion;

    /// <summary>A copy to hand to an asynchronous write while the original keeps changing (args are shared: they are never modified).</summary>
    public JobRecord Snapshot() => (JobRecord)MemberwiseClone();

    /// <summary>True for a status after which the job never runs again.</summary>
    public bool IsFinished => Status is JobStatus.Complete or JobStatus.Failed or JobStatus.Cancelled;
}
