using Reactor.Workflows;

namespace Reactor;

/// <summary>A workflow engine on a <see cref="ReactorHost"/>'s distributor.</summary>
public static class ReactorHostWorkflowExtensions
{
    extension(ReactorHost host)
    {
        /// <summary>The workflow engine; throws until <see cref="StartWorkflowsAsync"/> ran.</summary>
        public WorkflowEngine Workflows =>
            host.Components.OfType<WorkflowEngine>().FirstOrDefault()
                ?? throw new InvalidOperationException("no workflow engine was started (call StartWorkflowsAsync first)");

        /// <summary>
        /// Starts the workflow engine on this host's distributor (start the distributor first). Its tasks
        /// run as jobs on the nodes connected to that distributor. The host stops it when disposed.
        /// </summary>
        public async Task<WorkflowEngine> StartWorkflowsAsync(Action<WorkflowOptions> configure)
        {
            ArgumentNullException.ThrowIfNull(configure);
            if (host.Components.OfType<WorkflowEngine>().Any())
            {
                throw new InvalidOperationException("this host already runs a workflow engine");
            }
            var options = new WorkflowOptions();
            configure(options);
            var engine = new WorkflowEngine(options, host.Distributor, host.LoggerFactory, host.TimeProvider);
            await engine.StartAsync().ConfigureAwait(false);
            host.AddComponent(engine);
            return engine;
        }

        /// <summary>Stops the workflow engine (its workflows stay in the store); call before disposing the host.</summary>
        public async Task StopWorkflowsAsync()
        {
            if (host.Components.OfType<WorkflowEngine>().FirstOrDefault() is { } engine && host.RemoveComponent(engine))
            {
                await engine.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
