using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Reactor.Tests.Integration.Metrics;

/// <summary>One measurement as a listener saw it, tags flattened to a dictionary.</summary>
internal sealed record Reading(string Instrument, double Value, IReadOnlyDictionary<string, string?> Tags);

/// <summary>
/// A <see cref="MeterListener"/> on the given meter instances only (not every "Reactor" meter in
/// the process), keeping every measurement for the test to sum.
/// </summary>
internal sealed class MeterReader : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<Reading> _readings = new();

    public MeterReader(params Meter[] meters)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (meters.Contains(instrument.Meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, t, _) => Keep(i, v, t));
        _listener.SetMeasurementEventCallback<int>((i, v, t, _) => Keep(i, v, t));
        _listener.SetMeasurementEventCallback<double>((i, v, t, _) => Keep(i, v, t));
        _listener.Start();
    }

    public IReadOnlyList<Reading> Readings => [.. _readings];

    /// <summary>Sum of an instrument's measurements whose tags include every pair in <paramref name="tags"/>.</summary>
    public double Sum(string instrument, params (string Key, string Value)[] tags) =>
        Of(instrument, tags).Sum(r => r.Value);

    /// <summary>How many measurements an instrument recorded (a histogram's sample count).</summary>
    public int Count(string instrument, params (string Key, string Value)[] tags) => Of(instrument, tags).Count();

    /// <summary>Reads every observable gauge once and returns what this collection produced.</summary>
    public IReadOnlyList<Reading> Observe()
    {
        var before = _readings.Count;
        _listener.RecordObservableInstruments();
        return Readings.Skip(before).ToList();
    }

    public void Dispose() => _listener.Dispose();

    private IEnumerable<Reading> Of(string instrument, (string Key, string Value)[] tags) =>
        Readings.Where(r => r.Instrument == instrument && tags.All(t => r.Tags.TryGetValue(t.Key, out var v) && v == t.Value));

    private void Keep(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var map = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            map[tag.Key] = tag.Value?.ToString();
        }
        _readings.Enqueue(new Reading(instrument.Name, value, map));
    }
}
