using System.Collections.Concurrent;
using System.Globalization;

namespace Reactor.Tests.Integration.Scheduling;

/// <summary>
/// What "span" jobs report about themselves (start and stop in UTC ticks, the node's process id), and the
/// two measures the limit tests assert on: how many ran at once, and how many started in a window.
/// </summary>
internal sealed class LimitSpans
{
    private readonly ConcurrentQueue<Span> _spans = new();

    public int Count => _spans.Count;

    public IReadOnlyList<Span> All => [.. _spans];

    public void Add(JobArgs args) => _spans.Enqueue(new Span(args.Get<long>("start"), args.Get<long>("stop"), args.Get<long>("pid")));

    /// <summary>Parses the <c>span START STOP PID</c> lines a Reactor.TestApp "limit" process printed.</summary>
    public static IEnumerable<Span> Parse(IEnumerable<string> lines) => lines
        .Where(l => l.StartsWith("span ", StringComparison.Ordinal))
        .Select(l => l.Split(' '))
        .Select(p => new Span(long.Parse(p[1], CultureInfo.InvariantCulture), long.Parse(p[2], CultureInfo.InvariantCulture),
            long.Parse(p[3], CultureInfo.InvariantCulture)));

    /// <summary>
    /// The most jobs that ran at the same instant. A job starts only after the result of the one whose slot
    /// it took reached the distributor, so at equal stamps the stop counts first.
    /// </summary>
    public static int MaxOverlap(IEnumerable<Span> spans)
    {
        var events = spans.SelectMany(s => new[] { (At: s.Start, Delta: 1), (At: s.Stop, Delta: -1) })
            .OrderBy(e => e.At).ThenBy(e => e.Delta);
        int running = 0, max = 0;
        foreach (var (_, delta) in events)
        {
            running += delta;
            max = Math.Max(max, running);
        }
        return max;
    }

    /// <summary>How many jobs started within <paramref name="window"/> of the first start.</summary>
    public static int StartedWithin(IEnumerable<Span> spans, TimeSpan window)
    {
        var starts = spans.Select(s => s.Start).Order().ToList();
        return starts.Count(s => s < starts[0] + window.Ticks);
    }

    /// <summary>The most starts in any one second (for the report).</summary>
    public static int BusiestSecond(IEnumerable<Span> spans)
    {
        var starts = spans.Select(s => s.Start).Order().ToList();
        int max = 0, from = 0;
        for (var i = 0; i < starts.Count; i++)
        {
            while (starts[i] - starts[from] >= TimeSpan.TicksPerSecond)
            {
                from++;
            }
            max = Math.Max(max, i - from + 1);
        }
        return max;
    }

    public readonly record struct Span(long Start, long Stop, long Pid);
}
