using System.Globalization;
using System.Text;
using Reactor.Json;
using Reactor.Storage;

namespace Reactor.Cli.Output;

/// <summary>Job records as text for people: every field of one record, status counts, failures.</summary>
internal static class JobText
{
    private const int LabelWidth = 18;

    /// <summary>
    /// One <c>field: value</c> line per record field, under the names the Redis hash uses (see
    /// <c>RedisKeys</c>), so what is shown can be found with redis-cli. Unset fields show "-";
    /// multi-line values (args, an error with its stack trace) continue on indented lines.
    /// </summary>
    public static string Fields(JobRecord job)
    {
        var text = new StringBuilder();
        Field(text, "id", job.Id);
        Field(text, "name", job.Name);
        Field(text, "status", Status(job.Status));
        Field(text, "node", job.Node);
        Field(text, "distributor", job.Distributor.Length == 0 ? "-" : job.Distributor);
        Field(text, "attempt", Number(job.Attempt));
        Field(text, "max_attempt", job.MaxAttempt == 0 ? "0 (the node's default)" : Number(job.MaxAttempt));
        Field(text, "run_at", Time(job.RunAt));
        Field(text, "failed_at", Time(job.FailedAt));
        Field(text, "make_after", Span(job.MakeAfter));
        Field(text, "period", Span(job.Period));
        Field(text, "retry_multiplier", Span(job.RetryMultiplier));
        Field(text, "timeout", Span(job.Timeout));
        Field(text, "defer", Flag(job.Defer));
        Field(text, "on_success", Flag(job.OnSuccess));
        Field(text, "on_error", Flag(job.OnError));
        Field(text, "v", Number(job.FormatVersion));
        Field(text, "progress", job.Progress is { } p ? p.ToString("0.###", CultureInfo.InvariantCulture) : "-");
        Field(text, "progress_message", job.ProgressMessage ?? "-");
        Field(text, "last_error", job.LastError ?? "-");
        Field(text, "args", JsonText.Write(job.Args, indented: true));
        return text.ToString();
    }

    /// <summary>
    /// <c>new: 0  queued: 2  ...</c>, every status included, counted from <paramref name="jobs"/> so the
    /// counts agree with a table printed from the same list (a second read could see other jobs).
    /// </summary>
    public static string Counts(IEnumerable<JobRecord> jobs)
    {
        var counts = jobs.GroupBy(job => job.Status).ToDictionary(g => g.Key, g => g.Count());
        return string.Join("  ", Enum.GetValues<JobStatus>().Select(s => $"{Status(s)}: {Number(counts.GetValueOrDefault(s))}"));
    }

    /// <summary>Each failed job's heading and its whole error, stack trace included, indented.</summary>
    public static string Failures(IEnumerable<JobRecord> jobs)
    {
        var text = new StringBuilder();
        foreach (var job in jobs)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"{Printable(job.Id)} ({Printable(job.Name)}) failed at {Time(job.FailedAt)} after {Number(job.Attempt)} attempt(s):\n");
            foreach (var line in Lines(job.LastError ?? "(no error recorded)"))
            {
                text.Append("    ").Append(line).Append('\n');
            }
        }
        return text.ToString();
    }

    /// <summary>
    /// JobReactor's status names, as the table and the Redis hash show them. Spelled out here because the
    /// store's own map is internal to Reactor.Storage and this assembly is named "reactor", not Reactor.Cli.
    /// </summary>
    public static string Status(JobStatus status) => status switch
    {
        JobStatus.New => "new",
        JobStatus.Queued => "queued",
        JobStatus.InProgress => "in progress",
        JobStatus.Complete => "complete",
        JobStatus.Error => "error",
        JobStatus.Failed => "failed",
        JobStatus.Cancelled => "cancelled",
        _ => status.ToString(),
    };

    /// <summary>
    /// Replaces control characters: names and errors come from jobs, and an escape sequence printed raw
    /// could rewrite the operator's terminal.
    /// </summary>
    public static string Printable(string text) =>
        string.Create(text.Length, text, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) && source[i] is not '\n' and not '\t' ? '?' : source[i];
            }
        });

    private static void Field(StringBuilder text, string label, string value)
    {
        var lines = Lines(value);
        text.Append((label + ":").PadRight(LabelWidth)).Append(lines[0]).Append('\n');
        foreach (var line in lines.Skip(1))
        {
            text.Append(' ', LabelWidth).Append(line).Append('\n');
        }
    }

    private static string[] Lines(string value) => Printable(value.Replace("\r\n", "\n", StringComparison.Ordinal)).TrimEnd('\n').Split('\n');

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Flag(bool value) => value ? "true" : "false";

    private static string Time(DateTimeOffset? time) =>
        time?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff 'UTC'", CultureInfo.InvariantCulture) ?? "-";

    private static string Span(TimeSpan? span) => span?.ToString("c", CultureInfo.InvariantCulture) ?? "-";
}
