using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Reactor.Metrics;

/// <summary>
/// Keeps a tag's distinct values bounded: the first <c>capacity</c> names pass through, any later
/// one becomes <see cref="Other"/> (logged once). Job names come from code, so the cap is only hit by
/// a bug such as an id in a job name, and then it keeps a metrics backend from drowning in series.
/// </summary>
internal sealed partial class BoundedNames(int capacity, ILogger logger, string component)
{
    public const string Other = "other";

    private readonly ConcurrentDictionary<string, string> _known = new(StringComparer.Ordinal);
    private int _overflowed;

    public int Count => _known.Count;

    /// <summary>The tag value for <paramref name="name"/>: itself while under the cap, else <see cref="Other"/>. No allocation once seen.</summary>
    public string Get(string name) => _known.TryGetValue(name, out var known) ? known : Admit(name);

    private string Admit(string name)
    {
        // Racing callers may overshoot the cap by a few entries; the bound still holds in order of magnitude.
        if (_known.Count < capacity)
        {
            return _known.GetOrAdd(name, name);
        }
        if (Interlocked.Exchange(ref _overflowed, 1) == 0)
        {
            LogOverflow(logger, component, capacity, name);
        }
        return Other;
    }
}
