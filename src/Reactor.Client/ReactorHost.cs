using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Reactor;

/// <summary>
/// One app's Reactor: a distributor, plus whatever add-on packages start beside it (in-process nodes
/// from <c>Reactor.Client.Nodes</c>, a workflow engine from <c>Reactor.Client.Workflows</c>). The static
/// <see cref="JR"/> facade forwards to one of these; tests and apps that want several use instances.
/// </summary>
public sealed partial class ReactorHost : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _components = [];
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ReactorDistributor? _distributor;

    /// <summary>Creates an empty host.</summary>
    public ReactorHost(ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        LoggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        TimeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Where everything this host starts logs; add-on packages log here too.</summary>
    public ILoggerFactory LoggerFactory { get; }

    /// <summary>The clock of everything this host starts; add-on packages use it too.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>The distributor; throws until one was started.</summary>
    public ReactorDistributor Distributor =>
        _distributor ?? throw new InvalidOperationException("no distributor was started (call StartDistributor first)");

    /// <summary>True once the distributor listens and every step given to <see cref="JR.Run"/> has run.</summary>
    public bool Ready => _ready.Task.IsCompletedSuccessfully;

    /// <summary>Completes when <see cref="Ready"/> becomes true, or faults if starting failed.</summary>
    public Task WhenReady => _ready.Task;

    /// <summary>
    /// What add-on packages started on this host (in-process nodes, a workflow engine), in the order they
    /// were added; a snapshot.
    /// </summary>
    public IReadOnlyList<IAsyncDisposable> Components
    {
        get
        {
            lock (_components)
            {
                return [.. _components];
            }
        }
    }

    /// <summary>Starts the distributor on <paramref name="host"/>:<paramref name="port"/> (port 0 picks a free one).</summary>
    public async Task<ReactorDistributor> StartDistributorAsync(string host, int port, Action<DistributorOptions>? configure = null)
    {
        if (_distributor is not null)
        {
            throw new InvalidOperationException("this host already runs a distributor");
        }
        var options = new DistributorOptions { Host = host, Port = port };
        configure?.Invoke(options);
        var distributor = new ReactorDistributor(options, LoggerFactory, TimeProvider);
        await distributor.StartAsync().ConfigureAwait(false);
        _distributor = distributor;
        return distributor;
    }

    /// <summary>
    /// Hands a started component (an in-process node, a workflow engine) to this host, which stops it
    /// when it is disposed: components in the reverse order they were added, then the distributor. How
    /// add-on packages tie what they start to the host's lifetime.
    /// </summary>
    public void AddComponent(IAsyncDisposable component)
    {
        ArgumentNullException.ThrowIfNull(component);
        lock (_components)
        {
            _components.Add(component);
        }
    }

    /// <summary>Takes a component back (the caller stops it); false when this host did not hold it.</summary>
    public bool RemoveComponent(IAsyncDisposable component)
    {
        lock (_components)
        {
            return _components.Remove(component);
        }
    }

    /// <summary>Runs <paramref name="builder"/>'s steps in order, then marks the host ready.</summary>
    internal async Task StartAsync(ReactorBuilder builder)
    {
        try
        {
            foreach (var step in builder.Steps)
            {
                await step(this).ConfigureAwait(false);
            }
            _ready.TrySetResult();
        }
        catch (Exception e)
        {
            _ready.TrySetException(e);
            throw;
        }
    }

    /// <summary>
    /// Stops the components, last added first (a workflow engine started after the nodes stops before
    /// them; nodes hand back their work), then the distributor.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        while (true)
        {
            IAsyncDisposable last;
            lock (_components)
            {
                if (_components.Count == 0)
                {
                    break;
                }
                last = _components[^1];
                _components.RemoveAt(_components.Count - 1);
            }
            await last.DisposeAsync().ConfigureAwait(false);
        }
        if (_distributor is not null)
        {
            await _distributor.DisposeAsync().ConfigureAwait(false);
        }
    }
}
