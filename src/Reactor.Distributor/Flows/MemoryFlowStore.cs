namespace Reactor.Distributor.Flows;

/// <summary>
/// Fork/join state in the distributor's memory, for distributors without Redis. Exactly-once holds
/// while this process lives; a restart forgets claims, events and triggers. Entries expire after
/// the retention since their last use, like the Redis keys.
/// </summary>
internal sealed class MemoryFlowStore(TimeProvider time, TimeSpan retention) : IFlowStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (string Name, DateTimeOffset Expires)> _claims = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Scope> _scopes = new(StringComparer.Ordinal);
    private DateTimeOffset _nextSweep;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                Sweep(force: true);
                return _claims.Count + _scopes.Count;
            }
        }
    }

    public Task<(bool Claimed, string FirstName)> ClaimAsync(string jobId, string name, byte[]? journalEntry, string? scope, string? firedTrigger)
    {
        lock (_gate)
        {
            Sweep();
            var expires = time.GetUtcNow() + retention;
            if (_claims.TryGetValue(jobId, out var prior) && prior.Expires > time.GetUtcNow())
            {
                return Task.FromResult((false, prior.Name));
            }
            _claims[jobId] = (name, expires);
            if (scope is not null && firedTrigger is not null)
            {
                Touch(scope).Fired.Add(firedTrigger);
            }
            return Task.FromResult((true, name));
        }
    }

    public Task<IReadOnlyList<ReadyTrigger>> EmitAsync(string scope, string eventName, byte[] data)
    {
        lock (_gate)
        {
            Sweep();
            var state = Touch(scope);
            if (state.Events.TryAdd(eventName, data))
            {
                state.Order.Add(eventName);
            }
            var ready = new List<ReadyTrigger>();
            foreach (var (id, trigger) in state.Triggers)
            {
                if (trigger.Events.Contains(eventName, StringComparer.Ordinal) && Ready(state, id) is { } fired)
                {
                    ready.Add(fired);
                }
            }
            return Task.FromResult<IReadOnlyList<ReadyTrigger>>(ready);
        }
    }

    public Task<ReadyTrigger?> RegisterAsync(string scope, string triggerId, string[] events, byte[] payload)
    {
        lock (_gate)
        {
            Sweep();
            var state = Touch(scope);
            state.Triggers.TryAdd(triggerId, (events, payload));
            return Task.FromResult(Ready(state, triggerId));
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static ReadyTrigger? Ready(Scope state, string triggerId)
    {
        var (events, payload) = state.Triggers[triggerId];
        if (state.Fired.Contains(triggerId) || !events.All(state.Events.ContainsKey))
        {
            return null;
        }
        var wanted = events.ToHashSet(StringComparer.Ordinal);
        return new ReadyTrigger(triggerId, payload, [.. state.Order.Where(wanted.Contains).Select(n => (n, state.Events[n]))]);
    }

    private Scope Touch(string scope)
    {
        if (!_scopes.TryGetValue(scope, out var state))
        {
            state = new Scope();
            _scopes.Add(scope, state);
        }
        state.Expires = time.GetUtcNow() + retention;
        return state;
    }

    private void Sweep(bool force = false)
    {
        var now = time.GetUtcNow();
        if (!force && now < _nextSweep)
        {
            return;
        }
        _nextSweep = now + TimeSpan.FromSeconds(Math.Min(60, Math.Max(1, retention.TotalSeconds / 4)));
        foreach (var key in _claims.Where(c => c.Value.Expires <= now).Select(c => c.Key).ToList())
        {
            _claims.Remove(key);
        }
        foreach (var key in _scopes.Where(s => s.Value.Expires <= now).Select(s => s.Key).ToList())
        {
            _scopes.Remove(key);
        }
    }

    private sealed class Scope
    {
        public Dictionary<string, byte[]> Events { get; } = new(StringComparer.Ordinal);

        public List<string> Order { get; } = [];

        public Dictionary<string, (string[] Events, byte[] Payload)> Triggers { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Fired { get; } = new(StringComparer.Ordinal);

        public DateTimeOffset Expires { get; set; }
    }
}
