using Reactor.Workflows;

namespace Reactor;

public sealed partial class ReactorHost
{
    private WorkflowEngine? _workflows;

    /// <summary>The workflow engine; throws until <see cref="StartWorkflowsAsync"/> ran.</summary>
    public WorkflowEngine Workflows =>
        _workflows ?? throw new InvalidOperationException("no workflow engine was started (call StartWorkflowsAsync first)");

    /// <summary>
    /// Starts the workflow engine on this host's distributor (start the distributor first). Its tasks
    /// run as jobs on the nodes connected to that distributor.
    /// </summary>
    public async Task<WorkflowEngine> StartWorkflowsAsync(Action<WorkflowOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        if (_workflows is not null)
        {
            throw new InvalidOperationException("this host already runs a workflow engine");
        }
        var options = new WorkflowOptions();
        configure(options);
        var engine = new WorkflowEngine(options, Distributor, _loggerFactory, _time);
        await engine.StartAsync().ConfigureAwait(false);
        _workflows = engine;
        return engine;
    }

    /// <summary>Stops the workflow engine (its workflows stay in the store); call before disposing the host.</summary>
    public async Task StopWorkflowsAsync()
    {
        var engine = Interlocked.Exchange(ref _workflows, null);
        if (engine is not null)
        {
            await engine.DisposeAsync().ConfigureAwait(false);
        }
    }
}
