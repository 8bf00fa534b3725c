using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Reactor;

/// <summary>
/// One app's Reactor: a distributor and, for small apps and tests, in-process nodes. The static
/// <see cref="JR"/> facade forwards to one of these; tests and apps that want several use instances.
/// </summary>
public sealed partial class ReactorHost : IAsyncDisposable
{
    private readonly ILoggerFactory _loggerFactory;
    private readonly TimeProvider _time;
    private readonly List<ReactorNode> _nodes = [];
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ReactorDistributor? _distributor;

    /// <summary>Creates an empty host.</summary>
    public ReactorHost(ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The distributor; throws until one was started.</summary>
    public ReactorDistributor Distributor =>
        _distributor ?? throw new InvalidOperationException("no distributor was started (call StartDistributor first)");

    /// <summary>Nodes started in this process.</summary>
    public IReadOnlyList<ReactorNode> Nodes => _nodes;

    /// <summary>True once the distributor listens and in-process nodes have started.</summary>
    public bool Ready => _ready.Task.IsCompletedSuccessfully;

    /// <summary>Completes when <see cref="Ready"/> becomes true, or faults if starting failed.</summary>
    public Task WhenReady => _ready.Task;

    /// <summary>Starts the distributor on <paramref name="host"/>:<paramref name="port"/> (port 0 picks a free one).</summary>
    public async Task<ReactorDistributor> StartDistributorAsync(string host, int port, Action<DistributorOptions>? configure = null)
    {
        if (_distributor is not null)
        {
            throw new InvalidOperationException("this host already runs a distributor");
        }
        var options = new DistributorOptions { Host = host, Port = port };
        configure?.Invoke(options);
        var distributor = new ReactorDistributor(options, _loggerFactory, _time);
        await distributor.StartAsync().ConfigureAwait(false);
        _distributor = distributor;
        return distributor;
    }

    /// <summary>
    /// Starts a node in this process. With no distributor address it connects to this host's distributor.
    /// </summary>
    public async Task<ReactorNode> StartNodeAsync(NodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Distributors.Count == 0)
        {
            options.Distributors.Add($"127.0.0.1:{Distributor.Port}");
        }
        var node = new ReactorNode(options, _loggerFactory, _time);
        await node.StartAsync().ConfigureAwait(false);
        _nodes.Add(node);
        return node;
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

    /// <summary>Stops nodes first (they hand back their work), then the distributor.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopWorkflowsAsync().ConfigureAwait(false);
        foreach (var node in _nodes)
        {
            await node.DisposeAsync().ConfigureAwait(false);
        }
        _nodes.Clear();
        if (_distributor is not null)
        {
            await _distributor.DisposeAsync().ConfigureAwait(false);
        }
    }
}
