using Reactor.Workflows;

namespace Reactor.Tests.Integration.Workflows;

/// <summary>A distributor, one in-process node with the test jobs, and a workflow engine, over real loopback TCP.</summary>
internal sealed class WorkflowRig : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private WorkflowRig(ReactorHost host, WorkflowEngine engine)
    {
        Host = host;
        Engine = engine;
    }

    public ReactorHost Host { get; }

    public WorkflowEngine Engine { get; }

    public List<WorkflowEvent> Events { get; } = [];

    public static async Task<WorkflowRig> StartAsync(string definitions, Action<IJobRegistry> jobs, Action<WorkflowOptions>? configure = null,
        string fileName = "test.yaml")
    {
        var host = new ReactorHost(TestLogging.Factory);
        await host.StartDistributorAsync("127.0.0.1", 0);
        await host.StartNodeAsync(new NodeOptions
        {
            Name = "wf-node-" + Guid.NewGuid().ToString("N")[..6],
            Jobs = jobs,
            LogJobProcessing = false,
            RetryMultiplier = TimeSpan.FromMilliseconds(10),
            ShutdownGrace = TimeSpan.FromMilliseconds(200),
        });
        await host.Distributor.WaitForNodesAsync(1).WaitAsync(Patience);
        var engine = await host.StartWorkflowsAsync(o =>
        {
            foreach (var definition in WorkflowDefinitions.Parse(fileName, definitions))
            {
                o.Definitions.Add(definition);
            }
            o.EngineName = "engine-" + Guid.NewGuid().ToString("N")[..8];
            o.TaskOptions = new EnqueueOptions { MaxAttempt = 2 };
            o.RedisKeyPrefix = $"test:wf:{Guid.NewGuid():N}:";
            configure?.Invoke(o);
        });
        var rig = new WorkflowRig(host, engine);
        engine.OnWorkflowEvent(e =>
        {
            lock (rig.Events)
            {
                rig.Events.Add(e);
            }
        });
        return rig;
    }

    public List<WorkflowEvent> EventsOf(string id, string? type = null)
    {
        lock (Events)
        {
            return [.. Events.Where(e => e.WorkflowId == id && (type is null || e.Type == type))];
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Host.StopWorkflowsAsync();
        await Host.DisposeAsync();
    }
}
