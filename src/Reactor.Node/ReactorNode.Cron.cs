using Microsoft.Extensions.Logging;
using Reactor.Protocol.Scheduling;
using Reactor.Storage;

namespace Reactor;

// Cron jobs: like periodic ones, but the next slot comes from a calendar in a time zone.
public sealed partial class ReactorNode
{
    /// <summary>Cron's misfire policy on the wire and in records: skip to the next slot instead of running once now.</summary>
    private const int CronMisfireSkip = 1;

    /// <summary>
    /// When a cron job that is waiting for <paramref name="slot"/> should run. A slot still ahead is kept.
    /// A slot already past was missed (no node held the job, or this one was down): the default policy runs
    /// it once now (several missed slots still make one run), <c>Skip</c> waits for the next slot. Non-cron
    /// jobs keep <paramref name="slot"/>.
    /// </summary>
    private DateTimeOffset? CronDue(JobRecord record, DateTimeOffset? slot)
    {
        if (record.Cron is null || record.CronMisfire != CronMisfireSkip)
        {
            return slot;
        }
        var now = _time.GetUtcNow();
        if (slot is { } due && due > now)
        {
            return due;
        }
        // A schedule that no longer parses here (a zone this machine lacks) runs now and ends after the
        // run; NextCronSlot logs why.
        return TryCron(record, out var schedule) ? schedule.Next(now) ?? now : now;
    }

    /// <summary>The cron slot after <paramref name="slot"/> that is not already past (overrun slots are skipped, as for Period); null when none.</summary>
    private DateTimeOffset? NextCronSlot(JobRecord record, DateTimeOffset slot)
    {
        if (!TryCron(record, out var schedule))
        {
            return null;
        }
        var now = _time.GetUtcNow();
        var next = schedule.Next(slot);
        return next is { } at && at <= now ? schedule.Next(now) : next;
    }

    private bool TryCron(JobRecord record, out CronSchedule schedule)
    {
        try
        {
            schedule = CronSchedule.Parse(record.Cron!, record.TimeZone);
            return true;
        }
        catch (ArgumentException e)
        {
            // The distributor checked it at Enqueue; only a node with another zone database gets here.
            LogCronUnusable(_logger, record.Name, record.Id, e.Message);
            schedule = null!;
            return false;
        }
    }

    [LoggerMessage(EventId = 15, Level = LogLevel.Error, Message = "Cron job {Name} {JobId} has a schedule this node cannot use ({Reason}); it runs no further slot")]
    private static partial void LogCronUnusable(ILogger logger, string name, string jobId, string reason);
}
