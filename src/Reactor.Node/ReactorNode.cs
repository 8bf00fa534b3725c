using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Reactor.Node.Jobs;
using Reactor.Node.Links;
using Reactor.Node.Metrics;
using Reactor.Node.Runtime;
using Reactor.Protocol;
using Reactor.Protocol.Framing;
using Reactor.Storage;
using Reactor.Storage.Redis;

namespace Reactor;

/// <summary>
/// A worker node: loads job definitions, connects to its distributors, and runs the jobs they send
/// on its reactor loop, with timers for deferred and periodic jobs and retries with backoff.
/// Runs in a <c>reactor node</c> process, in any generic host (<c>AddReactorNode</c>), or in-process.
/// </summary>
public sealed partial class ReactorNode : IAsyncDisposable
{
    private readonly NodeOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ReactorLoop _loop;
    private readonly TimerQueue<NodeJob> _timers;
    private readonly Dictionary<string, NodeJob> _jobs = new(StringComparer.Ordinal);
    // Copy-on-write: discovery adds and removes links while the loop and the links read the list, so
    // the list is never changed in place, only replaced (see ReactorNode.Links.cs).
    private volatile List<DistributorLink> _links = [];
    private readonly List<Task> _linkTasks = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _deferGate;
    private readonly LinkHandler _linkHandler;
    private readonly LoopWatchdog _watchdog;
    private readonly NodeMetrics _metrics;
    private readonly JobServices _jobServices;
    private IJobStore? _store;
    private JobCatalog _catalog = new();
    private volatile bool _draining;
    private int _running;

    /// <summary>Creates a node; nothing runs until <see cref="StartAsync"/>.</summary>
    public ReactorNode(NodeOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null, IJobStore? store = null)
        : this(options, loggerFactory, timeProvider, store, services: null)
    {
    }

    /// <summary>
    /// Creates a node whose job classes resolve their services from <paramref name="services"/> (the host's
    /// container; <c>AddReactorNode</c> passes it), each run in a scope of its own.
    /// </summary>
    public ReactorNode(NodeOptions options, IServiceProvider? services, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
        : this(options, loggerFactory, timeProvider, store: null, services)
    {
    }

    private ReactorNode(NodeOptions options, ILoggerFactory? loggerFactory, TimeProvider? timeProvider, IJobStore? store, IServiceProvider? services)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger("Reactor.Node");
        _store = store;
        _jobServices = new JobServices(services);
        _loop = new ReactorLoop($"reactor:{options.Name}", e => LogLoopError(_logger, e));
        _timers = new TimerQueue<NodeJob>(_time, _loop, OnDue);
        _deferGate = new SemaphoreSlim(options.MaxDeferred);
        _storeWrites = new StoreWriteGate(options.MaxPendingStoreWrites);
        _linkHandler = new LinkHandler(this);
        _loop.Idle = FlushCredits;
        _watchdog = new LoopWatchdog(() => _loop.State, _time, options.LoopStallTimeout, OnLoopStall, start: false);
        _metrics = new NodeMetrics(options.Name, store?.Kind ?? options.Storage, _time, _logger);
        _metrics.Observe(() => _jobs.Count, () => Volatile.Read(ref _running), () => _timers.Count);
    }

    /// <summary>This node's instruments (tests listen to its meter alone).</summary>
    internal NodeMetrics Metrics => _metrics;

    /// <summary>The node's name.</summary>
    public string Name => _options.Name;

    /// <summary>The managed thread id of the reactor loop that runs job code.</summary>
    public int ReactorThreadId => _loop.ManagedThreadId;

    /// <summary>The names of the jobs this node can run (known after <see cref="StartAsync"/>).</summary>
    public IReadOnlyCollection<string> JobNames => _catalog.Names;

    /// <summary>True while at least one distributor connection is up.</summary>
    public bool IsConnected => _links.Any(l => l.IsConnected);

    /// <summary>
    /// Loads the jobs (throwing <see cref="JobDefinitionException"/> with file, line and message when a
    /// script does not compile), opens storage, starts the reactor loop and dials the distributors.
    /// Returns once dialing has started; connections come up in the background and retry with backoff.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        _catalog = Qualify(LoadCatalog());
        _jobServices.Build(_catalog.ModuleServices, _loggerFactory, _time);
        _store ??= await OpenStoreAsync(cancellationToken).ConfigureAwait(false);
        _loop.Start();
        _watchdog.Start();
        var codec = new MessageCodec(ProtocolLimits.Default);
        var identity = new NodeIdentity(_options.Name, _options.Capacity, _catalog.Names, _store.Kind, _options.Secret);
        (_identity, _codec) = (identity, codec);
        foreach (var address in _options.Distributors)
        {
            var link = new DistributorLink(DistributorAddress.Parse(address), identity, _linkHandler, codec, _options, _time,
                _loggerFactory.CreateLogger("Reactor.Node.Link"));
            _links.Add(link);
        }
        // Resume first, dial second: a distributor re-sends the jobs it had on this node as soon as the
        // node joins, and each copy must find its resumed job by id instead of starting a second run.
        await ResumeStoredJobsAsync(cancellationToken).ConfigureAwait(false);
        foreach (var link in _links)
        {
            _linkTasks.Add(Task.Run(() => link.RunAsync(_stopping.Token), CancellationToken.None));
        }
        StartDiscovery();
        LogStarted(_logger, _options.Name, _catalog.Names.Count, _store.Kind, string.Join(", ", _options.Distributors));
    }

    /// <summary>
    /// Graceful stop: tells each distributor it is leaving (so it sends nothing more), lets running
    /// jobs finish within <see cref="NodeOptions.ShutdownGrace"/> and sends their results, then closes.
    /// Jobs that were waiting on timers go back to the distributor, which dispatches them again.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_draining)
        {
            return;
        }
        _draining = true;
        await StopDiscoveryAsync().ConfigureAwait(false);
        foreach (var link in _links)
        {
            link.Send(new Protocol.Messages.Goodbye("node stopping"));
        }
        var deadline = _time.GetUtcNow() + _options.ShutdownGrace;
        while (Volatile.Read(ref _running) > 0 && _time.GetUtcNow() < deadline && !cancellationToken.IsCancellationRequested)
        {
            // Shutdown only: waiting for in-flight job code, which has no completion event of its own.
            await Task.Delay(20, CancellationToken.None).ConfigureAwait(false);
        }
        // Still running after the grace: their tokens fire, and they get CancellationGrace to end.
        await CancelRunningAtShutdownAsync(cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(_links.Select(l => l.CloseAsync("node stopped"))).ConfigureAwait(false);
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_linkTasks).ConfigureAwait(false);
        LogStopped(_logger, _options.Name);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _watchdog.Dispose();
        _timers.Dispose();
        _loop.Dispose();
        if (_store is not null)
        {
            await _store.DisposeAsync().ConfigureAwait(false);
        }
        _deferGate.Dispose();
        await _jobServices.DisposeAsync().ConfigureAwait(false);
        _metrics.Dispose();
        _stopping.Dispose();
    }

    private JobCatalog LoadCatalog()
    {
        if (_options.JobsDirectory is { } directory)
        {
            return JobsDirectoryLoader.Load(directory, _loggerFactory.CreateLogger("Reactor.Node.Jobs"), _options.Jobs);
        }
        var catalog = new JobCatalog { Source = "NodeOptions.Jobs" };
        _options.Jobs!(catalog);
        catalog.Validate();
        return catalog;
    }

    /// <summary>
    /// Opens the configured storage. An unreachable Redis is not fatal: the node logs why and tries
    /// again with backoff until it connects or is stopped, so starting nodes before Redis is fine.
    /// </summary>
    private async ValueTask<IJobStore> OpenStoreAsync(CancellationToken cancellationToken)
    {
        if (_options.Storage == "memory")
        {
            return new MemoryJobStore();
        }
        using var stopOrCancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        return await RedisRetry.UntilConnectedAsync(
            token => RedisJobStore.ConnectAsync(_options.Redis!, new RedisJobStoreOptions(), _loggerFactory.CreateLogger("Reactor.Storage.Redis"), token),
            (reason, delay) => LogStorageUnavailable(_logger, reason, delay),
            _time, stopOrCancel.Token).ConfigureAwait(false);
    }

    private void FlushCredits()
    {
        foreach (var link in _links)
        {
            link.FlushCredit();
        }
    }
}
