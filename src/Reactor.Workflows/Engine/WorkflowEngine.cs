using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Reactor.Workflows.Amqp;
using Reactor.Workflows.Engine;
using Reactor.Workflows.Events;
using Reactor.Workflows.Store;

namespace Reactor.Workflows;

/// <summary>
/// Runs workflows inside the app's distributor process: starts steps, sends their tasks as Reactor
/// jobs (or AMQP messages for <c>queue</c> steps), counts finished tasks, moves on when a step is done,
/// and records and publishes every transition. State lives behind <see cref="IWorkflowStore"/> (memory,
/// or Redis shared by several engines); every transition is a compare-and-set there, so engines
/// racing on one workflow never both make it.
/// </summary>
public sealed partial class WorkflowEngine : IAsyncDisposable
{
    private readonly WorkflowOptions _options;
    private readonly ReactorDistributor? _distributor;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<string, WorkflowDefinition> _definitions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<WorkflowResult>> _waiters = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Dispatch, byte> _inflight = new();
    private readonly List<Action<WorkflowEvent>> _subscribers = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly Metrics.WorkflowMetrics _metrics = new();
    private IWorkflowStore? _store;
    private AmqpLink? _link;
    private OutboxRelay? _relay;
    private ITimer? _sweeper;
    private int _sweeping;
    private bool _ownsStore = true;

    /// <summary>Creates an engine that runs task jobs on <paramref name="distributor"/>; nothing runs until <see cref="StartAsync"/>.</summary>
    public WorkflowEngine(WorkflowOptions options, ReactorDistributor? distributor, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _distributor = distributor;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Reactor.Workflows");
    }

    /// <summary>For tests: an engine on a store they hold (e.g. two engines sharing one memory store).</summary>
    internal WorkflowEngine(WorkflowOptions options, ReactorDistributor? distributor, IWorkflowStore store, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
        : this(options, distributor, loggerFactory, timeProvider)
    {
        _store = store;
        _ownsStore = false;
    }

    /// <summary>This engine's name (see <see cref="WorkflowOptions.EngineName"/>).</summary>
    public string Name => _options.EngineName;

    /// <summary>The workflows this engine can run.</summary>
    public IReadOnlyCollection<WorkflowDefinition> Definitions => _definitions.Values;

    internal IWorkflowStore Store => _store ?? throw new InvalidOperationException("the workflow engine is not started; call StartAsync first");

    /// <summary>
    /// Loads definitions, connects the store (and RabbitMQ in the background: an unreachable broker
    /// delays events, it does not stop the engine), and resumes workflows this engine or a dead one left unfinished.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        foreach (var definition in _options.Definitions.Concat(
            _options.DefinitionsDirectory is { } dir ? WorkflowDefinitions.LoadDirectory(dir) : []))
        {
            if (!_definitions.TryAdd(definition.Name, definition))
            {
                throw new WorkflowDefinitionException($"{definition.Source}: workflow '{definition.Name}' is defined twice");
            }
        }
        _store ??= _options.Redis is { } redis
            ? await RedisWorkflowStore.ConnectAsync(redis, _options.RedisKeyPrefix, _time).ConfigureAwait(false)
            : new MemoryWorkflowStore(_time);
        if (_options.RabbitMq is not null)
        {
            _link = new AmqpLink(_options, OnReplyAsync, () => _relay?.Signal(), _time, _logger);
        }
        _relay = new OutboxRelay(_store, _link, Deliver, _options, _time, _logger);
        _link?.Start();
        _relay.Start();
        await SweepAsync(firstRun: true).ConfigureAwait(false);
        _sweeper = _time.CreateTimer(_ => _ = SweepSafelyAsync(), null, _options.SweepInterval, _options.SweepInterval);
        LogStarted(_logger, Name, _definitions.Count, _options.Redis is null ? "memory" : "redis", _options.RabbitMq is null ? "in-process" : "RabbitMQ");
    }

    /// <summary>Starts workflow <paramref name="name"/> with <paramref name="payload"/> (an object, dictionary or JSON text) and returns its id.</summary>
    public Task<string> StartWorkflowAsync(string name, object? payload = null, CancellationToken cancellationToken = default) =>
        CreateAsync(name, payload, NewId(), cancellationToken);

    /// <summary>Blocking form of <see cref="StartWorkflowAsync"/>, for synchronous callers such as <c>JR.StartWorkflow</c>.</summary>
    public string StartWorkflow(string name, object? payload = null) =>
        StartWorkflowAsync(name, payload).GetAwaiter().GetResult();

    /// <summary>Starts a workflow and completes when it finished, failed or was cancelled.</summary>
    public async Task<WorkflowResult> RunWorkflowAsync(string name, object? payload = null, CancellationToken cancellationToken = default)
    {
        var id = NewId();
        // Registered first: a workflow of empty steps can end before CreateAsync returns.
        var waiter = Waiter(id);
        await CreateAsync(name, payload, id, cancellationToken).ConfigureAwait(false);
        return await waiter.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Completes when workflow <paramref name="id"/> ends (at once if it already has).</summary>
    public async Task<WorkflowResult> WaitForWorkflowAsync(string id, CancellationToken cancellationToken = default)
    {
        var waiter = Waiter(id);
        if (await ResultIfEndedAsync(id).ConfigureAwait(false) is { } ended)
        {
            Complete(ended);
        }
        return await waiter.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Subscribes to this engine's events, delivered in order after they were published; dispose to stop.</summary>
    public IDisposable OnWorkflowEvent(Action<WorkflowEvent> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_subscribers)
        {
            _subscribers.Add(handler);
        }
        return new Unsubscriber(() =>
        {
            lock (_subscribers)
            {
                _subscribers.Remove(handler);
            }
        });
    }

    /// <summary>Stops sweeping, relaying and consuming. Workflows stay in the store; a new engine with this name resumes them.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _sweeper?.Dispose();
        if (_relay is not null)
        {
            await _relay.DisposeAsync().ConfigureAwait(false);
        }
        if (_link is not null)
        {
            await _link.DisposeAsync().ConfigureAwait(false);
        }
        if (_store is not null && _ownsStore)
        {
            await _store.DisposeAsync().ConfigureAwait(false);
        }
        foreach (var waiter in _waiters.Values)
        {
            waiter.TrySetException(new ObjectDisposedException(nameof(WorkflowEngine), "the workflow engine stopped before the workflow ended"));
        }
        _metrics.Dispose();
    }

    private static string NewId() => Guid.NewGuid().ToString("N");

    private WorkflowDefinition Definition(string name) =>
        _definitions.TryGetValue(name, out var definition) ? definition
            : throw new ArgumentException($"unknown workflow '{name}'; known: {string.Join(", ", _definitions.Keys.Order(StringComparer.Ordinal))}", nameof(name));

    private TaskCompletionSource<WorkflowResult> Waiter(string id) =>
        _waiters.GetOrAdd(id, _ => new TaskCompletionSource<WorkflowResult>(TaskCreationOptions.RunContinuationsAsynchronously));

    private sealed class Unsubscriber(Action dispose) : IDisposable
    {
        private Action? _dispose = dispose;

        public void Dispose() => Interlocked.Exchange(ref _dispose, null)?.Invoke();
    }
}
