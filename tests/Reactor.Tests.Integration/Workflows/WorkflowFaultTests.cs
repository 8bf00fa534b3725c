using NUnit.Framework;
using Reactor.Tests.Integration.Services;
using Reactor.Workflows;

namespace Reactor.Tests.Integration.Workflows;

/// <summary>Workflows through RabbitMQ outages, engine crashes and engines racing on one store.</summary>
[TestFixture]
[CancelAfter(240_000)]
public sealed class WorkflowFaultTests
{
    private const string Chain = """
        {"name": "chain", "phases": [
          {"name": "first", "is_initial": true, "transitions_to": "second", "handlers": ["gate"]},
          {"name": "second", "transitions_to": "third", "handlers": ["step"]},
          {"name": "third", "is_final": true, "handlers": ["step"]}
        ]}
        """;

    [Test]
    public async Task RabbitMQ_dropping_mid_workflow_loses_no_event_and_keeps_their_order()
    {
        var rabbit = new Uri(await TestServices.RabbitMqAsync());
        await using var proxy = new TcpProxy(rabbit.Host, rabbit.Port);
        var viaProxy = new UriBuilder(rabbit) { Port = proxy.Port }.Uri.ToString();
        await using var collector = await EventCollector.StartAsync(rabbit.ToString());
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var redis = await TestServices.RedisAsync();
        await using var rig = await WorkflowRig.StartAsync(Chain, jobs =>
        {
            jobs.Job("gate", async _ => await gate.Task);
            jobs.Job("step", a => a["at_" + a["step"]] = true);
        }, o =>
        {
            o.Redis = redis;
            o.RabbitMq = viaProxy;
            o.ReconnectDelay = TimeSpan.FromMilliseconds(100);
            o.MaxReconnectDelay = TimeSpan.FromMilliseconds(500);
        }, "chain.json");

        var run = rig.Engine.RunWorkflowAsync("chain");
        string? id = null;
        await WorkflowEngineTests.WaitUntilAsync(() =>
        {
            lock (rig.Events)
            {
                id = rig.Events.FirstOrDefault(e => e.Type == WorkflowEventTypes.PhaseStarted)?.WorkflowId;
            }
            return id is not null;
        });
        proxy.Cut();
        gate.TrySetResult(); // the rest of the workflow runs while the broker is unreachable
        // The workflow ends in the store while the broker is cut off: every later event waits in the outbox.
        await WorkflowEngineTests.WaitUntilAsync(() => rig.Engine.StatusAsync(id!).GetAwaiter().GetResult() == WorkflowStatus.Finished);
        Assert.That(run.IsCompleted, Is.False, "the end is announced only through the relay, after RabbitMQ confirmed it");
        proxy.Restore();
        var result = await run.WaitAsync(WorkflowRig.Patience);
        await WorkflowEngineTests.WaitUntilAsync(() => collector.Of(result.Id).Any(e => e.Type == WorkflowEventTypes.Finished));

        Assert.That(result.Status, Is.EqualTo(WorkflowStatus.Finished));
        var local = rig.EventsOf(result.Id);
        var published = collector.Of(result.Id);
        // At least once (docs/workflows.md): a publish whose confirm the cut swallowed is sent again, right
        // after itself and with the same event_id; nothing else may repeat, and order is kept.
        var ids = published.Select(e => e.EventId).ToList();
        var raw = string.Join("\n", published.Select(e => $"{e.EventId} {e.Type}"));
        var collapsed = ids.Where((e, i) => i == 0 || ids[i - 1] != e).ToList();
        Assert.That(collapsed, Is.EqualTo(local.Select(e => e.EventId)), "every event, in order, a repeat only next to its original:\n" + raw);
        Assert.That(ids.Count - collapsed.Count, Is.InRange(0, 1), "one outage repeats at most the one unconfirmed event:\n" + raw);
        Assert.That(published.Where((e, i) => i == 0 || ids[i - 1] != e.EventId).Select(e => e.Type), Is.EqualTo(new[]
        {
            "workflow.created", "workflow.phase.started", "workflow.task.finished", "workflow.phase.finished",
            "workflow.phase.started", "workflow.task.finished", "workflow.phase.finished",
            "workflow.phase.started", "workflow.task.finished", "workflow.phase.finished", "workflow.finished",
        }));
        lock (collector.Received)
        {
            Assert.That(collector.Received.All(r => r.Persistent && r.RoutingKey == r.Event.Type), Is.True);
        }
    }

    [Test]
    public async Task A_new_engine_on_the_same_redis_store_resumes_a_workflow_whose_engine_was_killed()
    {
        // The engine's whole process is SIGKILLed while the first phase's task runs: no dispose, no
        // lease release. Its task never finishes on the old node (the marker is never created).
        await using var crashed = await KilledEngine.StartAndKillAsync();
        var firstRuns = 0;

        // Another engine, under another name, on the same store: it adopts the workflow once the dead
        // engine's lease (2 s in the test app) has lapsed, and runs the unfinished task on its own node.
        await using var second = await WorkflowRig.StartAsync(KilledEngine.Chain, jobs =>
        {
            jobs.Job("wait_for_marker", a =>
            {
                Interlocked.Increment(ref firstRuns);
                a["reopened"] = true;
            });
            jobs.Job("mark_step", a => a["at_" + a["step"]] = true);
        }, o =>
        {
            o.Redis = crashed.Redis.Address;
            o.RedisKeyPrefix = new WorkflowOptions().RedisKeyPrefix; // the test app's keys
            o.EngineName = "adopter-" + Guid.NewGuid().ToString("N")[..8];
            o.SweepInterval = TimeSpan.FromMilliseconds(300);
            o.LeaseTtl = TimeSpan.FromSeconds(2);
        }, "crash-chain.json");
        var result = await second.Engine.WaitForWorkflowAsync(crashed.WorkflowId).WaitAsync(WorkflowRig.Patience);

        Assert.That(result.Status, Is.EqualTo(WorkflowStatus.Finished), result.Error);
        Assert.That((bool)result.Output["reopened"]!, Is.True, "the first phase finished through the new engine's node");
        Assert.That((bool)result.Output["at_second"]!, Is.True);
        Assert.That((bool)result.Output["at_third"]!, Is.True);
        Assert.That(firstRuns, Is.GreaterThanOrEqualTo(1), "the adopted task ran on the new engine's node (at least once, as any job)");
        Assert.That(crashed.FirstTaskRunsOnNode, Is.EqualTo(1), "the dead engine's node ran it once and is still waiting");
        var history = await second.Engine.HistoryAsync(crashed.WorkflowId);
        Assert.That(history.Where(h => h.Type == WorkflowEventTypes.Created), Has.Exactly(1).Items);
        Assert.That(history.Where(h => h.Type == WorkflowEventTypes.PhaseStarted).Select(h => h.Step), Is.EqualTo(new[] { "first", "second", "third" }));
        Assert.That(history.Where(h => h.Type == WorkflowEventTypes.PhaseFinished).Select(h => h.Step), Is.EqualTo(new[] { "first", "second", "third" }));
        Assert.That(history.Where(h => h.Type == WorkflowEventTypes.Finished), Has.Exactly(1).Items);
    }

    [Test]
    public async Task Two_engines_racing_on_one_store_make_each_transition_once()
    {
        var redis = await TestServices.RedisAsync();
        var prefix = $"test:wf:{Guid.NewGuid():N}:";
        static void Jobs(IJobRegistry jobs)
        {
            jobs.Job("gate", async a =>
            {
                await Task.Delay(Random.Shared.Next(5, 60));
                a["gate_done"] = true;
            });
            jobs.Job("step", async a =>
            {
                await Task.Delay(Random.Shared.Next(5, 60));
                a["at_" + a["step"]] = true;
            });
        }
        await using var one = await WorkflowRig.StartAsync(Chain, Jobs, o => Configure(o, redis, prefix, "racer-1"), "chain.json");
        await using var two = await WorkflowRig.StartAsync(Chain, Jobs, o => Configure(o, redis, prefix, "racer-2"), "chain.json");

        var ids = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            ids.Add(await one.Engine.StartWorkflowAsync("chain"));
        }
        // The second engine keeps taking the workflows over and re-sending whatever is pending, so both
        // engines run the same tasks and race to record them and to start the next phase.
        using var stop = new CancellationTokenSource();
        var racing = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                foreach (var id in ids)
                {
                    await two.Engine.AdoptAsync(id);
                    await one.Engine.AdoptAsync(id);
                }
            }
        });
        var results = await Task.WhenAll(ids.Select(id => one.Engine.WaitForWorkflowAsync(id))).WaitAsync(WorkflowRig.Patience);
        await stop.CancelAsync();
        await racing;

        Assert.That(results.Select(r => r.Status), Is.All.EqualTo(WorkflowStatus.Finished));
        foreach (var id in ids)
        {
            var history = await one.Engine.HistoryAsync(id);
            Assert.That(history.Where(h => h.Type == WorkflowEventTypes.PhaseStarted).Select(h => h.Step), Is.EqualTo(new[] { "first", "second", "third" }), id);
            Assert.That(history.Where(h => h.Type == WorkflowEventTypes.PhaseFinished).Select(h => h.Step), Is.EqualTo(new[] { "first", "second", "third" }), id);
            Assert.That(history.Count(h => h.Type == WorkflowEventTypes.Finished), Is.EqualTo(1), id);
        }
    }

    private static void Configure(WorkflowOptions o, string redis, string prefix, string name)
    {
        o.Redis = redis;
        o.RedisKeyPrefix = prefix;
        o.EngineName = name;
        o.SweepInterval = TimeSpan.FromMilliseconds(300);
        o.LeaseTtl = TimeSpan.FromSeconds(1);
    }
}
