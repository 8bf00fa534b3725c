using Reactor.Workflows;

namespace Reactor;

/// <summary>Workflows on the <see cref="JR"/> facade: <c>JR.StartWorkflowsAsync(...)</c>, <c>JR.RunWorkflowAsync(...)</c>.</summary>
public static class JRWorkflowExtensions
{
    extension(JR)
    {
        /// <summary>Starts the workflow engine on the running distributor (after <see cref="JR.WhenReady"/>).</summary>
        public static Task<WorkflowEngine> StartWorkflowsAsync(Action<WorkflowOptions> configure) => JR.Host.StartWorkflowsAsync(configure);

        /// <summary>Starts workflow <paramref name="name"/> and returns its id.</summary>
        public static string StartWorkflow(string name, object? payload = null) => JR.Host.Workflows.StartWorkflow(name, payload);

        /// <summary>Starts a workflow and completes with its outcome (finished with merged outputs, or failed with the error).</summary>
        public static Task<WorkflowResult> RunWorkflowAsync(string name, object? payload = null, CancellationToken cancellationToken = default) =>
            JR.Host.Workflows.RunWorkflowAsync(name, payload, cancellationToken);

        /// <summary>Calls <paramref name="handler"/> with every workflow event, in order; dispose the result to stop.</summary>
        public static IDisposable OnWorkflowEvent(Action<WorkflowEvent> handler) => JR.Host.Workflows.OnWorkflowEvent(handler);
    }
}
