namespace Reactor.Distributor.Uniqueness;

/// <summary>Unique keys of one distributor without Redis: a map under a lock, expiry read from the distributor's clock.</summary>
internal sealed class MemoryUniqueKeys(TimeProvider time) : IUniqueKeys
{
    private readonly Dictionary<string, (string JobId, DateTimeOffset Expires)> _held = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public string? Claim(string key, string jobId, TimeSpan ttl)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (_held.TryGetValue(key, out var holder) && holder.Expires > now)
            {
                return holder.JobId;
            }
            if (_held.Count > 1024)
            {
                // Expired keys are dropped on the way, so abandoned ones cannot pile up.
                foreach (var stale in _held.Where(h => h.Value.Expires <= now).Select(h => h.Key).ToList())
                {
                    _held.Remove(stale);
                }
            }
            _held[key] = (jobId, now + ttl);
            return null;
        }
    }

    public Task<string?> ClaimAsync(string key, string jobId, TimeSpan ttl) => Task.FromResult(Claim(key, jobId, ttl));

    public void Release(string key, string jobId)
    {
        lock (_gate)
        {
            if (_held.TryGetValue(key, out var holder) && holder.JobId == jobId)
            {
                _held.Remove(key);
            }
        }
    }
}
