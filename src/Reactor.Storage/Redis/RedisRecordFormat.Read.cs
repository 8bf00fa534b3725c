using System.Globalization;
using Reactor.Protocol.Framing;
using StackExchange.Redis;

namespace Reactor.Storage.Redis;

internal static partial class RedisRecordFormat
{
    /// <summary>
    /// Reads a record. Returns null, setting <paramref name="newerVersion"/>, for a record written in a
    /// newer format this build must not interpret. Throws <see cref="InvalidDataException"/> naming the
    /// bad field of a damaged record.
    /// </summary>
    public static JobRecord? Read(string id, HashEntry[] entries, out int? newerVersion)
    {
        newerVersion = null;
        var fields = new Dictionary<string, RedisValue>(entries.Length, StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            fields[entry.Name.ToString()] = entry.Value;
        }
        // The version decides how the rest is read, so it is checked before anything else.
        var version = Int32(fields, "v", required: true)!.Value;
        if (version < 1)
        {
            throw new InvalidDataException($"field 'v' holds {version}, not a format version");
        }
        if (version > JobRecord.CurrentFormatVersion)
        {
            newerVersion = version;
            return null;
        }
        var storedId = Text(fields, "id", required: true)!;
        if (storedId != id)
        {
            throw new InvalidDataException($"field 'id' holds '{storedId}', not the id its key is named after");
        }
        return new JobRecord
        {
            Id = storedId,
            Name = Text(fields, "name", required: true)!,
            Args = Args(fields),
            Node = Text(fields, "node", required: true)!,
            Distributor = Text(fields, "distributor", required: false) ?? "",
            Status = Status(fields),
            Attempt = Int32(fields, "attempt") ?? 0,
            RunAt = Time(fields, "run_at"),
            FailedAt = Time(fields, "failed_at"),
            LastError = Text(fields, "last_error", required: false),
            Progress = Fraction(fields, "progress"),
            ProgressMessage = Text(fields, "progress_message", required: false),
            Period = Span(fields, "period"),
            Cron = Text(fields, "cron", required: false),
            TimeZone = Text(fields, "time_zone", required: false),
            CronMisfire = Int32(fields, "cron_misfire") ?? 0,
            MakeAfter = Span(fields, "make_after"),
            RetryMultiplier = Span(fields, "retry_multiplier"),
            Timeout = Span(fields, "timeout"),
            Defer = Flag(fields, "defer", fallback: false),
            OnSuccess = Flag(fields, "on_success", fallback: true),
            OnError = Flag(fields, "on_error", fallback: true),
            MaxAttempt = Int32(fields, "max_attempt") ?? 0,
            FailedAttempts = Attempts(fields),
            FormatVersion = version,
        };
    }

    // Informational: a damaged value reads as "no progress" rather than making the whole record unreadable.
    private static double? Fraction(Dictionary<string, RedisValue> fields, string field) =>
        Text(fields, field, required: false) is { } text
        && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
        && value is >= 0 and <= 1
            ? value
            : null;

    private static string? Text(Dictionary<string, RedisValue> fields, string field, bool required) =>
        fields.TryGetValue(field, out var value) ? value.ToString()
        : required ? throw new InvalidDataException($"field '{field}' is missing") : null;

    private static long? Int64(Dictionary<string, RedisValue> fields, string field, bool required = false)
    {
        var text = Text(fields, field, required);
        if (text is null)
        {
            return null;
        }
        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new InvalidDataException($"field '{field}' holds '{Shorten(text)}', not an integer");
    }

    private static int? Int32(Dictionary<string, RedisValue> fields, string field, bool required = false) =>
        Int64(fields, field, required) switch
        {
            null => null,
            >= int.MinValue and <= int.MaxValue and var value => (int)value,
            var value => throw new InvalidDataException($"field '{field}' holds {value}, out of range"),
        };

    private static DateTimeOffset? Time(Dictionary<string, RedisValue> fields, string field)
    {
        var ms = Int64(fields, field);
        try
        {
            return ms is { } value ? DateTimeOffset.FromUnixTimeMilliseconds(value) : null;
        }
        catch (ArgumentOutOfRangeException)
        {
            throw new InvalidDataException($"field '{field}' holds {ms}, which is no representable time");
        }
    }

    private static TimeSpan? Span(Dictionary<string, RedisValue> fields, string field)
    {
        const long Limit = long.MaxValue / TimeSpan.TicksPerMillisecond;
        return Int64(fields, field) switch
        {
            null => null,
            >= -Limit and <= Limit and var ms => TimeSpan.FromMilliseconds(ms),
            var ms => throw new InvalidDataException($"field '{field}' holds {ms} ms, out of range"),
        };
    }

    private static bool Flag(Dictionary<string, RedisValue> fields, string field, bool fallback) =>
        Text(fields, field, required: false) switch
        {
            null => fallback,
            "1" => true,
            "0" => false,
            var other => throw new InvalidDataException($"field '{field}' holds '{Shorten(other)}', not 0 or 1"),
        };

    private static JobStatus Status(Dictionary<string, RedisValue> fields)
    {
        var name = Text(fields, "status", required: true)!;
        foreach (var (status, known) in StatusNames)
        {
            if (known == name)
            {
                return status;
            }
        }
        throw new InvalidDataException($"field 'status' holds the unknown status '{Shorten(name)}'");
    }

    private static JobArgs Args(Dictionary<string, RedisValue> fields)
    {
        if (!fields.TryGetValue("args", out var value))
        {
            throw new InvalidDataException("field 'args' is missing");
        }
        try
        {
            return JobArgsSerializer.Deserialize((byte[])value!);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"field 'args' is unreadable: {e.Message}", e);
        }
    }

    // Damaged fields can be huge or binary; a log line needs only enough to recognise them.
    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "...";
}
