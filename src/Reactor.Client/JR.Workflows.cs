using Reactor.Workflows;

namespace Reactor;

public static partial class JR
{
    /// <summary>Starts the workflow engine on the running distributor (after <see cref="WhenReady"/>).</summary>
    public static Task<WorkflowEngine> StartWorkflowsAsync(Action<WorkflowOptions> configure) => Host.StartWorkflowsAsync(configure);

    /// <summary>Starts workflow <paramref name="name"/> and returns its id.</summary>
    public static string StartWorkflow(string name, object? payload = null) => Host.Workflows.StartWorkflow(name, payload);

    /// <summary>Starts a workflow and completes with its outcome (finished with merged outputs, or failed with the error).</summary>
    public static Task<WorkflowResult> RunWorkflowAsync(string name, object? payload = null, CancellationToken cancellationToken = default) =>
        Host.Workflows.RunWorkflowAsync(name, payload, cancellationToken);

    /// <summary>Calls <paramref name="handler"/> with every workflow event, in order; dispose the result to stop.</summary>
    public static IDisposable OnWorkflowEvent(Action<WorkflowEvent> handler) => Host.Workflows.OnWorkflowEvent(handler);
}
