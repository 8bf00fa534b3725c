namespace Reactor;

/// <summary>Where a job is in its life on a node (JobReactor's statuses).</summary>
public enum JobStatus
{
    /// <summary>Received, not yet looked at.</summary>
    New = 0,
    /// <summary>Waiting for its time (deferred, periodic between runs, or a retry's backoff).</summary>
    Queued = 1,
    /// <summary>Running now.</summary>
    InProgress = 2,
    /// <summary>Finished successfully (a periodic job after its last run).</summary>
    Complete = 3,
    /// <summary>An attempt failed; another attempt is scheduled.</summary>
    Error = 4,
    /// <summary>The last attempt failed.</summary>
    Failed = 5,
    /// <summary>Cancelled by the app, the job, or an errback.</summary>
    Cancelled = 6,
}

/// <summary>The names a status has outside .NET.</summary>
public static class JobStatusNames
{
    /// <summary>
    /// The name JobReactor and the Redis layout use (<c>new</c>, <c>queued</c>, <c>in progress</c>,
    /// <c>complete</c>, <c>error</c>, <c>failed</c>, <c>cancelled</c>), as in <c>args["job_itself"]["status"]</c>.
    /// </summary>
    public static string ToStoredName(this JobStatus status) => Storage.Redis.RedisRecordFormat.StatusName(status);
}
