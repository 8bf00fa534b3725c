using System.Collections.Concurrent;
using Cronos;

namespace Reactor.Protocol.Scheduling;

/// <summary>
/// A parsed cron expression in its time zone. The distributor parses it at <c>Enqueue</c> to refuse a bad
/// one before anything is queued; the node parses it again (cached) to find each next slot. Daylight
/// saving follows Cronos: a slot that falls in a spring-forward gap runs at the first instant after the
/// gap, and a slot that falls in a fall-back overlap runs once (in the first of the two hours) unless the
/// expression's hour field is <c>*</c> or a step, in which case it runs in both. Public because the
/// distributor and the node both use it (one parser, one answer at both ends).
/// </summary>
public sealed class CronSchedule
{
    private static readonly ConcurrentDictionary<(string, string?), CronSchedule> Cache = new();

    private const int MaxCached = 1024;

    private readonly CronExpression _expression;

    private CronSchedule(string expression, CronExpression parsed, TimeZoneInfo zone)
    {
        Expression = expression;
        _expression = parsed;
        Zone = zone;
    }

    /// <summary>The expression as given.</summary>
    public string Expression { get; }

    /// <summary>The zone the expression is read in (UTC when none was given).</summary>
    public TimeZoneInfo Zone { get; }

    /// <summary>
    /// Parses <paramref name="expression"/>: five fields (minute first), six (second first), or a macro such
    /// as <c>@daily</c>; <paramref name="timeZone"/> is an IANA or Windows id, null for UTC. Throws
    /// <see cref="ArgumentException"/> with the reason for anything else.
    /// </summary>
    public static CronSchedule Parse(string expression, string? timeZone)
    {
        ArgumentNullException.ThrowIfNull(expression);
        if (Cache.TryGetValue((expression, timeZone), out var cached))
        {
            return cached;
        }
        var built = Build(expression, timeZone);
        // A handful of schedules is the norm; past the cap they are parsed per use instead of growing the cache.
        return Cache.Count < MaxCached ? Cache.GetOrAdd((expression, timeZone), built) : built;
    }

    /// <summary>The first slot strictly after <paramref name="after"/>, or null when the expression never fires again.</summary>
    public DateTimeOffset? Next(DateTimeOffset after) => _expression.GetNextOccurrence(after, Zone, inclusive: false);

    private static CronSchedule Build(string expression, string? timeZone)
    {
        var trimmed = expression.Trim();
        var fields = trimmed.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
        var format = fields switch
        {
            5 => CronFormat.Standard,
            6 => CronFormat.IncludeSeconds,
            1 when trimmed.StartsWith('@') => CronFormat.Standard,
            _ => throw new ArgumentException(
                $"cron expression '{expression}' has {fields} fields; give 5 (minute hour day month weekday) or 6 (second first)", "Cron"),
        };
        CronExpression parsed;
        try
        {
            parsed = CronExpression.Parse(trimmed, format);
        }
        catch (CronFormatException e)
        {
            throw new ArgumentException($"cron expression '{expression}' is invalid: {e.Message}", "Cron", e);
        }
        return new CronSchedule(trimmed, parsed, FindZone(timeZone));
    }

    private static TimeZoneInfo FindZone(string? timeZone)
    {
        if (timeZone is null)
        {
            return TimeZoneInfo.Utc;
        }
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(timeZone);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
        {
            throw new ArgumentException($"unknown time zone '{timeZone}': give an IANA id (Europe/Paris) or a Windows id (Romance Standard Time)", "TimeZone", e);
        }
    }
}
