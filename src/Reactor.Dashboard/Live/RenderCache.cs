using System.Collections.Concurrent;
using Reactor.Dashboard.Html;

namespace Reactor.Dashboard.Live;

/// <summary>
/// Shares one rendering of a page among every live viewer of it for one interval, so the cost of live
/// updates grows with the number of distinct pages watched, not with the number of browsers.
/// </summary>
internal sealed class RenderCache(TimeProvider time, TimeSpan lifetime)
{
    private const int MaxEntries = 512;

    private readonly ConcurrentDictionary<string, (DateTimeOffset At, Lazy<Task<Page>> Page)> _entries = new(StringComparer.Ordinal);

    public Task<Page> GetAsync(string key, Func<Task<Page>> render)
    {
        var now = time.GetUtcNow();
        if (_entries.TryGetValue(key, out var entry) && now - entry.At < lifetime)
        {
            return entry.Page.Value;
        }
        if (_entries.Count >= MaxEntries)
        {
            // Many distinct URLs watched at once (or someone walking the pages): start over rather than grow.
            _entries.Clear();
        }
        var fresh = (now, new Lazy<Task<Page>>(render, LazyThreadSafetyMode.ExecutionAndPublication));
        var stored = _entries.AddOrUpdate(key, fresh, (_, old) => now - old.At < lifetime ? old : fresh);
        return stored.Page.Value;
    }
}
