using System.Globalization;

namespace Reactor.Distributor;

/// <summary>One <see cref="DistributorOptions.Limit"/>: at most <see cref="Concurrency"/> running, at most <see cref="PerSecond"/> started per second.</summary>
internal sealed record JobLimit(string Name, int? Concurrency, double? PerSecond)
{
    /// <summary>
    /// Tokens the rate bucket holds at most: 50 ms worth, so a burst over any one second stays within
    /// 5 % of the rate while timers (about 1 ms resolution) and Redis round trips can still hand out
    /// several tokens at once at high rates. At least 2 from 4/s up: a bucket of one token is full the
    /// moment that token is due, so every millisecond a timer or a round trip comes late would be lost
    /// (13 % at 20/s on a busy machine); with room for a second token, lateness up to one interval costs
    /// nothing. Below 4/s, 1: a second token at start would be a large share of a second's rate.
    /// </summary>
    public double Burst => PerSecond is { } rate ? Math.Max(rate >= 4 ? 2 : 1, rate / 20) : 0;

    /// <summary>"concurrency 10, 100/s", for errors and logs.</summary>
    public string Describe()
    {
        var parts = new List<string>(2);
        if (Concurrency is { } concurrency)
        {
            parts.Add($"concurrency {concurrency}");
        }
        if (PerSecond is { } rate)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{rate:0.###}/s"));
        }
        return string.Join(", ", parts);
    }

    /// <summary>Adds a problem for every limit that cannot be enforced.</summary>
    public static void Check(List<JobLimit> limits, List<string> errors)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var limit in limits)
        {
            if (string.IsNullOrWhiteSpace(limit.Name))
            {
                errors.Add("Limit: the job name is empty");
                continue;
            }
            var label = $"Limit('{limit.Name}')";
            if (!seen.Add(limit.Name))
            {
                errors.Add($"{label} is set twice; give concurrency and perSecond in one call");
            }
            if (limit.Concurrency is null && limit.PerSecond is null)
            {
                errors.Add($"{label} sets neither concurrency nor perSecond");
            }
            if (limit.Concurrency is < 1)
            {
                errors.Add($"{label}: concurrency must be at least 1 (was {limit.Concurrency})");
            }
            if (limit.PerSecond is { } rate && !(double.IsFinite(rate) && rate > 0))
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture, $"{label}: perSecond must be a positive number (was {rate})"));
            }
        }
    }
}
