using System.Text.Json;
using Reactor.Workflows.Engine;
using Reactor.Workflows.Store;
using StackExchange.Redis;

namespace Reactor.Workflows;

/// <summary>
/// Starts, lists, inspects and controls workflows in a Redis workflow store without running an engine
/// (what <c>reactor workflow start|status</c> and the dashboard use). A workflow it starts has no
/// owner: the first engine on the same store and key prefix whose definitions include it adopts it at
/// its next sweep and runs it.
/// </summary>
public sealed partial class WorkflowClient : IAsyncDisposable
{
    private readonly RedisWorkflowStore _store;
    private readonly TimeProvider _time;

    private WorkflowClient(RedisWorkflowStore store, TimeProvider time)
    {
        _store = store;
        _time = time;
    }

    /// <summary>
    /// Connects to the store at <paramref name="redis"/> (<c>host:port</c> or <c>redis://…</c>) under
    /// <paramref name="keyPrefix"/> (an engine's <see cref="WorkflowOptions.RedisKeyPrefix"/>). Throws
    /// <see cref="InvalidOperationException"/> naming the address when Redis does not answer.
    /// </summary>
    public static async Task<WorkflowClient> ConnectAsync(string redis, string keyPrefix = "reactor:wf:", TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(redis);
        ArgumentNullException.ThrowIfNull(keyPrefix);
        var store = await RedisWorkflowStore.ConnectAsync(redis, keyPrefix, timeProvider).ConfigureAwait(false);
        return new WorkflowClient(store, timeProvider ?? TimeProvider.System);
    }

    /// <summary>
    /// A client over a connection the caller owns (disposing the client leaves it open), for an
    /// application that already holds one; it may still be connecting, calls then throw
    /// <see cref="RedisException"/> until it is up.
    /// </summary>
    public static WorkflowClient Create(IConnectionMultiplexer redis, string keyPrefix = "reactor:wf:", TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(keyPrefix);
        var time = timeProvider ?? TimeProvider.System;
        return new WorkflowClient(new RedisWorkflowStore(redis, keyPrefix, ownsConnection: false, time), time);
    }

    /// <summary>
    /// Creates a running workflow of <paramref name="definition"/> with <paramref name="payload"/> (an
    /// object, dictionary or JSON object text) and returns its id. Its <c>workflow.created</c> transition
    /// is in the history at once; its steps start when an engine adopts it. Throws <see cref="ArgumentException"/>
    /// when the payload is not a JSON object; nothing is stored then.
    /// </summary>
    public async Task<string> StartAsync(WorkflowDefinition definition, object? payload = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var body = JsonData.ToObject(payload);
        var id = Guid.NewGuid().ToString("N");
        // The caller's trace context is stored so the adopting engine's step jobs join that trace.
        using var span = WorkflowTracing.StartWorkflow(definition.Name, id);
        var (traceParent, traceState) = WorkflowTracing.Capture(span);
        var now = _time.GetUtcNow();
        var record = new WorkflowRecord(id, definition.Name, WorkflowStatus.Running, body.ToJsonString(), now, null, null,
            new Dictionary<string, StepState>(), new Dictionary<string, string>(), traceParent, traceState, WorkflowGraph.Describe(definition));
        var created = JsonSerializer.Serialize(new WorkflowTransition(id, WorkflowEventTypes.Created, null, "none", "created", now));
        cancellationToken.ThrowIfCancellationRequested();
        // No outbox entry: no engine owns the workflow yet, so none would relay it.
        if (!await _store.CreateAsync(record, [.. definition.Steps.Select(s => s.Name)], new Outgoing("client", [created], [])).ConfigureAwait(false))
        {
            throw new InvalidOperationException($"workflow id {id} exists already");
        }
        return id;
    }

    /// <summary>The workflow as stored now, or null when unknown or expired after its retention.</summary>
    public async Task<WorkflowInfo?> GetAsync(string id)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        return await _store.LoadAsync(id).ConfigureAwait(false) is { } record ? WorkflowInfo.From(record) : null;
    }

    /// <summary>Every recorded transition of the workflow, oldest first (empty when unknown).</summary>
    public async Task<IReadOnlyList<WorkflowTransition>> HistoryAsync(string id)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        return [.. (await _store.HistoryAsync(id).ConfigureAwait(false)).Select(h => JsonSerializer.Deserialize<WorkflowTransition>(h)!)];
    }

    /// <summary>Closes the Redis connection.</summary>
    public ValueTask DisposeAsync() => _store.DisposeAsync();
}
