using System.Globalization;
using System.Text;
using Reactor.Storage;

namespace Reactor;

public sealed partial class RedisMonitor
{
    private static readonly (string Header, int MaxWidth, Func<JobRecord, string> Value)[] Columns =
    [
        ("ID", 36, job => job.Id),
        ("NAME", 30, job => job.Name),
        ("STATUS", 11, job => Storage.Redis.RedisRecordFormat.StatusName(job.Status)),
        ("ATTEMPT", 7, job => job.Attempt.ToString(CultureInfo.InvariantCulture)),
        ("RUN_AT (UTC)", 19, job => job.RunAt?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "-"),
        ("NODE", 20, job => job.Node),
        ("PROGRESS", 40, Progress),
        ("LAST_ERROR", 60, job => job.LastError ?? ""),
    ];

    // The last report of the running (or last) attempt: "42% resizing 3/7", or "-" when none came.
    private static string Progress(JobRecord job) =>
        job.Progress is not { } fraction ? "-"
        : string.Create(CultureInfo.InvariantCulture, $"{Math.Floor(fraction * 100):0}%") + (job.ProgressMessage is { Length: > 0 } m ? " " + m : "");

    /// <summary>
    /// A fixed-width text table of <paramref name="jobs"/> (id, name, status, attempt, run_at, node,
    /// last progress, last error), one line per job. Long values are cut with "..."; only an error's first line is
    /// shown. Ends with a line saying how many jobs there are.
    /// </summary>
    public static string FormatTable(IEnumerable<JobRecord> jobs)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        var rows = jobs.Select(job => Columns.Select(c => Cell(c.Value(job), c.MaxWidth)).ToArray()).ToList();
        var widths = Columns.Select((c, i) => rows.Select(r => r[i].Length).Append(c.Header.Length).Max()).ToArray();
        var table = new StringBuilder();
        AppendLine(table, Columns.Select(c => c.Header).ToArray(), widths);
        AppendLine(table, widths.Select(w => new string('-', w)).ToArray(), widths);
        foreach (var row in rows)
        {
            AppendLine(table, row, widths);
        }
        table.Append(rows.Count == 1 ? "(1 job)" : $"({rows.Count} jobs)").Append('\n');
        return table.ToString();
    }

    private static void AppendLine(StringBuilder table, string[] cells, int[] widths)
    {
        var line = string.Join("  ", cells.Select((cell, i) => cell.PadRight(widths[i])));
        table.Append(line.TrimEnd()).Append('\n');
    }

    // Stack traces and names from jobs may hold newlines, tabs or escape sequences that would break
    // the grid or the terminal; the first line is what identifies an error anyway.
    private static string Cell(string value, int maxWidth)
    {
        var firstLine = value.Split('\n', 2)[0];
        var clean = new string(firstLine.Select(c => char.IsControl(c) ? ' ' : c).ToArray()).Trim();
        return clean.Length <= maxWidth ? clean : clean[..(maxWidth - 3)] + "...";
    }
}
