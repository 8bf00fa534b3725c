using System.Text.Json;
using MessagePack;
using Reactor.Distributor.Durability;
using Reactor.Distributor.Flows;
using Reactor.Protocol.Framing;
using StackExchange.Redis;

namespace Reactor;

/// <summary>
/// Reads the fork/join state a distributor with a Redis journal keeps (what the dashboard's flow
/// pages show): its scopes (one per run, <c>run:{runId}</c>, and <c>global</c>) by last use, and per
/// scope the events emitted and the triggers waiting on them. Read-only; the state expires one
/// <see cref="DistributorOptions.FlowRetention"/> after its last use. Scopes last used by a version
/// before the listing existed are not listed (open them by name).
/// </summary>
public sealed class FlowReader
{
    private static readonly MessagePackSerializerOptions Untrusted =
        MessagePackSerializerOptions.Standard.WithSecurity(MessagePackSecurity.UntrustedData);

    private readonly IDatabase _db;
    private readonly DistributorKeys _keys;

    private FlowReader(IDatabase db, DistributorKeys keys)
    {
        _db = db;
        _keys = keys;
    }

    /// <summary>
    /// A reader over a connection the caller owns, for the distributor named <paramref name="distributorName"/>
    /// (<see cref="DistributorOptions.Name"/>) writing under <paramref name="keyPrefix"/>.
    /// </summary>
    public static FlowReader Create(IConnectionMultiplexer redis, string keyPrefix = "reactor", string distributorName = "default")
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentException.ThrowIfNullOrWhiteSpace(keyPrefix);
        ArgumentException.ThrowIfNullOrWhiteSpace(distributorName);
        return new FlowReader(redis.GetDatabase(), new DistributorKeys(keyPrefix, distributorName));
    }

    /// <summary>Scopes, most recently used first, <paramref name="count"/> from <paramref name="offset"/>.</summary>
    public async Task<FlowScopePage> ListAsync(long offset = 0, int count = 50)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var total = await _db.SortedSetLengthAsync(_keys.FlowScopes).ConfigureAwait(false);
        var rows = await _db.SortedSetRangeByRankWithScoresAsync(_keys.FlowScopes, offset, offset + count - 1, Order.Descending).ConfigureAwait(false);
        return new FlowScopePage([.. rows.Select(r => new FlowScopeSummary(r.Element.ToString(), DateTimeOffset.FromUnixTimeMilliseconds((long)r.Score)))], total);
    }

    /// <summary>
    /// One scope's events (in emission order) and triggers; null when it holds nothing (unknown or
    /// expired). <paramref name="scope"/> is <c>run:{runId}</c> or <c>global</c>.
    /// </summary>
    public async Task<FlowScopeDetails?> GetAsync(string scope)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(scope);
        var order = await _db.ListRangeAsync(_keys.FlowScope(scope, "order")).ConfigureAwait(false);
        var events = await _db.HashGetAllAsync(_keys.FlowScope(scope, "events")).ConfigureAwait(false);
        var triggers = await _db.HashGetAllAsync(_keys.FlowScope(scope, "triggers")).ConfigureAwait(false);
        if (order.Length == 0 && events.Length == 0 && triggers.Length == 0)
        {
            return null;
        }
        var payloads = (await _db.HashGetAllAsync(_keys.FlowScope(scope, "payloads")).ConfigureAwait(false))
            .ToDictionary(e => e.Name.ToString(), e => (byte[]?)e.Value, StringComparer.Ordinal);
        var fired = (await _db.SetMembersAsync(_keys.FlowScope(scope, "fired")).ConfigureAwait(false))
            .Select(v => v.ToString()).ToHashSet(StringComparer.Ordinal);
        var data = events.ToDictionary(e => e.Name.ToString(), e => (byte[]?)e.Value, StringComparer.Ordinal);
        var emitted = order.Select(n => n.ToString()).Where(data.ContainsKey)
            .Select(n => new FlowEventInfo(n, Args(data[n]))).ToList();
        var waiting = triggers.OrderBy(t => t.Name.ToString(), StringComparer.Ordinal).Select(t =>
        {
            var id = t.Name.ToString();
            var needs = Needs(t.Value.ToString());
            var payload = Payload(payloads.GetValueOrDefault(id));
            return new FlowTriggerInfo(id, needs, [.. needs.Where(n => !data.ContainsKey(n))], fired.Contains(id),
                payload?.Name, TimeSpan.FromMilliseconds(payload?.DelayMs ?? 0), Args(payload?.Data));
        }).ToList();
        return new FlowScopeDetails(scope, emitted, waiting);
    }

    // Stored bytes are read as untrusted: a damaged value shows as empty, never breaks the page.
    private static JobArgs Args(byte[]? bytes)
    {
        if (bytes is null || bytes.Length == 0)
        {
            return new JobArgs();
        }
        try
        {
            return JobArgsSerializer.Deserialize(bytes);
        }
        catch (Exception e) when (e is MessagePackSerializationException or InvalidDataException)
        {
            return new JobArgs();
        }
    }

    private static TriggerPayload? Payload(byte[]? bytes)
    {
        if (bytes is null || bytes.Length == 0)
        {
            return null;
        }
        try
        {
            return MessagePackSerializer.Deserialize<TriggerPayload>(bytes, Untrusted);
        }
        catch (MessagePackSerializationException)
        {
            return null;
        }
    }

    private static IReadOnlyList<string> Needs(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<string[]>(json) ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }
}

/// <summary>One fork/join scope and when it was last used.</summary>
/// <param name="Scope"><c>run:{runId}</c> (the run id is the id of the job that started it) or <c>global</c>.</param>
/// <param name="LastUsed">The last event or trigger recorded in it.</param>
public sealed record FlowScopeSummary(string Scope, DateTimeOffset LastUsed);

/// <summary>A page of fork/join scopes.</summary>
/// <param name="Items">The scopes on this page, most recently used first.</param>
/// <param name="Total">How many scopes are listed in all.</param>
public sealed record FlowScopePage(IReadOnlyList<FlowScopeSummary> Items, long Total);

/// <summary>What one fork/join scope holds.</summary>
/// <param name="Scope">The scope.</param>
/// <param name="Events">Events emitted, in emission order (the first data of a name wins).</param>
/// <param name="Triggers">Triggers registered, by id.</param>
public sealed record FlowScopeDetails(string Scope, IReadOnlyList<FlowEventInfo> Events, IReadOnlyList<FlowTriggerInfo> Triggers);

/// <summary>An emitted event.</summary>
/// <param name="Name">The event name.</param>
/// <param name="Data">Its data.</param>
public sealed record FlowEventInfo(string Name, JobArgs Data);

/// <summary>A trigger: the task that runs once all its events were emitted.</summary>
/// <param name="Id">The trigger id (derived from the publishing job and index).</param>
/// <param name="Events">The events it waits for.</param>
/// <param name="Missing">Of those, the ones not emitted yet.</param>
/// <param name="Fired">Its task was started.</param>
/// <param name="Task">The task it starts, or null when its payload cannot be read.</param>
/// <param name="Delay">How long after the last event the task runs.</param>
/// <param name="Data">The task's data.</param>
public sealed record FlowTriggerInfo(string Id, IReadOnlyList<string> Events, IReadOnlyList<string> Missing, bool Fired, string? Task,
    TimeSpan Delay, JobArgs Data);
