using System.Globalization;
using Reactor.Protocol.Framing;
using StackExchange.Redis;

namespace Reactor.Storage.Redis;

/// <summary>
/// Maps a <see cref="JobRecord"/> to the hash fields listed on <see cref="RedisKeys"/> and back. Reading
/// trusts nothing: the hash may have been written by another version, by hand, or damaged.
/// </summary>
internal static partial class RedisRecordFormat
{
    private static readonly (JobStatus Status, string Name)[] StatusNames =
    [
        (JobStatus.New, "new"), (JobStatus.Queued, "queued"), (JobStatus.InProgress, "in progress"),
        (JobStatus.Complete, "complete"), (JobStatus.Error, "error"), (JobStatus.Failed, "failed"),
        (JobStatus.Cancelled, "cancelled"),
    ];

    public static string StatusName(JobStatus status) =>
        StatusNames.FirstOrDefault(s => s.Status == status).Name
        ?? throw new ArgumentOutOfRangeException(nameof(status), status, "unknown job status");

    public static HashEntry[] Write(JobRecord record)
    {
        var entries = new List<HashEntry>(20)
        {
            new("id", record.Id),
            new("name", record.Name),
            new("args", JobArgsSerializer.Serialize(record.Args)),
            new("node", record.Node),
            new("distributor", record.Distributor),
            new("status", StatusName(record.Status)),
            new("attempt", record.Attempt),
            new("defer", record.Defer ? 1 : 0),
            new("on_success", record.OnSuccess ? 1 : 0),
            new("on_error", record.OnError ? 1 : 0),
            new("max_attempt", record.MaxAttempt),
            // Always the current version: this build writes its own layout, whatever it read.
            new("v", JobRecord.CurrentFormatVersion),
        };
        AddIfSet(entries, "run_at", record.RunAt?.ToUnixTimeMilliseconds());
        AddIfSet(entries, "failed_at", record.FailedAt?.ToUnixTimeMilliseconds());
        AddIfSet(entries, "period", Milliseconds(record.Period));
        AddIfSet(entries, "make_after", Milliseconds(record.MakeAfter));
        AddIfSet(entries, "retry_multiplier", Milliseconds(record.RetryMultiplier));
        AddIfSet(entries, "timeout", Milliseconds(record.Timeout));
        if (record.Cron is not null)
        {
            entries.Add(new HashEntry("cron", record.Cron));
            entries.Add(new HashEntry("cron_misfire", record.CronMisfire));
            if (record.TimeZone is not null)
            {
                entries.Add(new HashEntry("time_zone", record.TimeZone));
            }
        }
        if (record.LastError is not null)
        {
            entries.Add(new HashEntry("last_error", record.LastError));
        }
        if (record.Progress is { } progress)
        {
            entries.Add(new HashEntry("progress", progress.ToString("R", CultureInfo.InvariantCulture)));
        }
        if (record.ProgressMessage is not null)
        {
            entries.Add(new HashEntry("progress_message", record.ProgressMessage));
        }
        if (record.FailedAttempts.Count > 0)
        {
            entries.Add(new HashEntry("attempts", WriteAttempts(record.FailedAttempts)));
        }
        return [.. entries];
    }

    private static void AddIfSet(List<HashEntry> entries, string field, long? value)
    {
        if (value is { } set)
        {
            entries.Add(new HashEntry(field, set));
        }
    }

    private static long? Milliseconds(TimeSpan? span) => span is { } s ? s.Ticks / TimeSpan.TicksPerMillisecond : null;
}
