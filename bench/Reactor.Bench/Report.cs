using System.Globalization;
using System.Text.Json;

namespace Reactor.Bench;

/// <summary>One system's figures for one scenario, in the order they were added.</summary>
internal sealed class Figures(string scenario, string system)
{
    private readonly List<KeyValuePair<string, object>> _values = [];

    public string Scenario { get; } = scenario;

    public string System { get; } = system;

    public IReadOnlyList<KeyValuePair<string, object>> Values => _values;

    public Figures Add(string name, object value)
    {
        _values.RemoveAll(v => v.Key == name);
        _values.Add(new(name, value));
        return this;
    }

    public double? Number(string name) =>
        _values.FirstOrDefault(v => v.Key == name).Value is { } value && value is not string
            ? Convert.ToDouble(value, CultureInfo.InvariantCulture)
            : null;
}

/// <summary>Prints figures as a table or as JSON lines, and the Reactor/peer ratio of every shared figure.</summary>
internal static class Report
{
    // Figures where less is better: their ratio is peer / Reactor so that above 1 always means Reactor wins.
    private static readonly HashSet<string> LowerIsBetter = new(StringComparer.Ordinal)
    {
        "p50_us", "p99_us", "max_us", "p50_ms", "p99_ms", "max_ms", "bytes_per_pending", "peak_rss_mb",
        "app_alloc_per_job", "node_alloc_per_job", "heap_bytes_per_pending",
    };

    // Figures worth a ratio; counts, flags and absolute memory readings are not.
    private static readonly HashSet<string> Compared = new(StringComparer.Ordinal)
    {
        "jobs_per_sec", "enqueue_per_sec", "app_alloc_per_job", "bytes_per_pending", "heap_bytes_per_pending",
        "p50_us", "p99_us", "max_us", "p50_ms", "p99_ms", "max_ms", "peak_rss_mb",
    };

    public static void Print(Figures figures, bool json)
    {
        if (json)
        {
            var map = new Dictionary<string, object> { ["scenario"] = figures.Scenario, ["system"] = figures.System };
            foreach (var (key, value) in figures.Values)
            {
                map[key] = value is double d ? Math.Round(d, 3) : value;
            }
            Console.WriteLine(JsonSerializer.Serialize(map));
            return;
        }
        Console.WriteLine($"{figures.Scenario,-10} {figures.System,-22} " +
            string.Join("  ", figures.Values.Select(v => $"{v.Key}={Format(v.Value)}")));
    }

    /// <summary>Ratios Reactor vs peer for every numeric figure both have; "x" above 1 means Reactor is better.</summary>
    public static Figures Ratio(Figures reactor, Figures peer)
    {
        var ratio = new Figures(reactor.Scenario, $"ratio reactor/{peer.System}");
        foreach (var (key, _) in reactor.Values)
        {
            if (!Compared.Contains(key) || reactor.Number(key) is not { } r || peer.Number(key) is not { } p || r == 0 || p == 0)
            {
                continue;
            }
            ratio.Add(key, LowerIsBetter.Contains(key) ? p / r : r / p);
        }
        return ratio;
    }

    public static string Format(object value) => value switch
    {
        double d when Math.Abs(d) >= 100 => d.ToString("N0", CultureInfo.InvariantCulture),
        double d => d.ToString("0.###", CultureInfo.InvariantCulture),
        long or int => Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString("N0", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };
}

/// <summary>A line on stderr, rewritten every second, saying how far a workload got.</summary>
internal sealed class Progress : IDisposable
{
    private readonly Timer _timer;
    private readonly string _label;
    private readonly Func<long> _done;
    private readonly long _total;

    public Progress(string label, long total, Func<long> done)
    {
        _label = label;
        _total = total;
        _done = done;
        _timer = new Timer(_ => Show(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    public void Dispose()
    {
        _timer.Dispose();
        Show();
        Console.Error.WriteLine();
    }

    private void Show() =>
        Console.Error.Write(string.Create(CultureInfo.InvariantCulture, $"\r  {_label}: {_done():N0} / {_total:N0}   "));
}

/// <summary>Percentiles of a sample.</summary>
internal static class Percentiles
{
    public static (double P50, double P99, double Max) Of(long[] sample)
    {
        if (sample.Length == 0)
        {
            return (0, 0, 0);
        }
        Array.Sort(sample);
        return (At(sample, 0.50), At(sample, 0.99), sample[^1]);
    }

    private static double At(long[] sorted, double q) => sorted[(int)Math.Min(sorted.Length - 1, Math.Ceiling(q * sorted.Length) - 1)];
}
