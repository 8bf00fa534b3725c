using System.Diagnostics;
using System.Text.Json;
using NUnit.Framework;
using RabbitMQ.Client;
using Reactor.Tests.Integration.Services;
using Reactor.Workflows;

namespace Reactor.Tests.Integration.Workflows;

/// <summary>
/// The real broker is stopped and started again (rabbitmqctl stop_app / start_app on the test node)
/// while a workflow runs; a plain AMQP client reading a durable queue sees every event.
/// </summary>
[TestFixture]
[CancelAfter(240_000)]
[NonParallelizable]
public sealed class BrokerRestartTests
{
    private const string Chain = """
        {"name": "restart-chain", "phases": [
          {"name": "first", "is_initial": true, "transitions_to": "second", "handlers": ["gate"]},
          {"name": "second", "transitions_to": "third", "handlers": ["step"]},
          {"name": "third", "is_final": true, "handlers": ["step"]}
        ]}
        """;

    [Test]
    public async Task RabbitMQ_restarted_mid_workflow_loses_no_event()
    {
        var control = Environment.GetEnvironmentVariable("REACTOR_TEST_RABBITMQ_CTL");
        Assert.That(control, Is.Not.Null.And.Not.Empty,
            "this test restarts the broker: run ./test.sh, which starts a private RabbitMQ and sets REACTOR_TEST_RABBITMQ_CTL");
        var rabbit = await TestServices.RabbitMqAsync();
        var queue = $"reactor-test-events-{Guid.NewGuid():N}";
        await DeclareDurableQueueAsync(rabbit, queue);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var rig = await WorkflowRig.StartAsync(Chain, jobs =>
        {
            jobs.Job("gate", async _ => await gate.Task);
            jobs.Job("step", a => a["at_" + a["step"]] = true);
        }, o =>
        {
            o.Redis = TestServices.RedisAsync().GetAwaiter().GetResult();
            o.RabbitMq = rabbit;
            o.ReconnectDelay = TimeSpan.FromMilliseconds(200);
            o.MaxReconnectDelay = TimeSpan.FromSeconds(1);
        }, "restart-chain.json");

        var run = rig.Engine.RunWorkflowAsync("restart-chain");
        string? id = null;
        await WorkflowEngineTests.WaitUntilAsync(() =>
        {
            lock (rig.Events)
            {
                id = rig.Events.FirstOrDefault(e => e.Type == WorkflowEventTypes.PhaseStarted)?.WorkflowId;
            }
            return id is not null;
        });
        await ControlAsync(control!, "stop_app");
        try
        {
            gate.TrySetResult(); // the rest of the workflow runs while the broker is down
            // The workflow ends in the store while its events wait in the outbox: the outage spans them all.
            await WorkflowEngineTests.WaitUntilAsync(() => rig.Engine.StatusAsync(id!).GetAwaiter().GetResult() == WorkflowStatus.Finished);
            Assert.That(run.IsCompleted, Is.False, "the end is announced only through the relay, after RabbitMQ confirmed it");
        }
        finally
        {
            // Whatever failed above, the shared broker must come back.
            await ControlAsync(control!, "start_app");
        }
        var result = await run.WaitAsync(WorkflowRig.Patience);

        var local = rig.EventsOf(result.Id).Select(e => e.EventId).ToList();
        var published = await DrainAsync(rabbit, queue, result.Id, local.Count);
        Assert.That(result.Status, Is.EqualTo(WorkflowStatus.Finished));
        // docs/workflows.md: delivery is at least once; the relay sends one entry at a time, in order, and
        // sends an entry again only when its confirm was lost. So the raw queue is the local sequence in
        // which an event may repeat only right after itself, with the same event_id, at most once per outage.
        var raw = string.Join("\n", published);
        Assert.That(local.Except(published), Is.Empty, "every event reached the queue:\n" + raw);
        var collapsed = published.Where((e, i) => i == 0 || published[i - 1] != e).ToList();
        Assert.That(collapsed, Is.EqualTo(local), "in order, any repeat next to its original:\n" + raw);
        Assert.That(published.Count - local.Count, Is.InRange(0, 1), "one outage repeats at most the one unconfirmed event:\n" + raw);
    }

    private static async Task DeclareDurableQueueAsync(string uri, string queue)
    {
        await using var connection = await new ConnectionFactory { Uri = new Uri(uri) }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.ExchangeDeclareAsync("reactor.workflows", ExchangeType.Topic, durable: true);
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
        await channel.QueueBindAsync(queue, "reactor.workflows", "workflow.#");
    }

    /// <summary>
    /// Reads every message of the durable queue, raw (repeats kept), then deletes it. Every event was
    /// confirmed, so it is in the queue, before the workflow's end reached the waiter; the queue is read
    /// until it is empty and holds at least <paramref name="expected"/> distinct events of the workflow.
    /// </summary>
    private static async Task<List<string>> DrainAsync(string uri, string queue, string workflowId, int expected)
    {
        var ids = new List<string>();
        var deadline = DateTime.UtcNow + WorkflowRig.Patience;
        await using var connection = await ConnectWithRetryAsync(uri, deadline);
        await using var channel = await connection.CreateChannelAsync();
        while (DateTime.UtcNow < deadline)
        {
            var message = await channel.BasicGetAsync(queue, autoAck: true);
            if (message is null)
            {
                if (ids.Distinct().Count() >= expected)
                {
                    break;
                }
                await Task.Delay(100);
                continue;
            }
            var e = JsonSerializer.Deserialize<WorkflowEvent>(message.Body.Span)!;
            if (e.WorkflowId == workflowId)
            {
                ids.Add(e.EventId);
            }
        }
        await channel.QueueDeleteAsync(queue);
        return ids;
    }

    private static async Task<IConnection> ConnectWithRetryAsync(string uri, DateTime deadline)
    {
        while (true)
        {
            try
            {
                return await new ConnectionFactory { Uri = new Uri(uri) }.CreateConnectionAsync();
            }
            catch (RabbitMQ.Client.Exceptions.BrokerUnreachableException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }

    private static async Task ControlAsync(string control, string command)
    {
        using var process = Process.Start(new ProcessStartInfo(control, command) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.That(process.ExitCode, Is.Zero, $"rabbitmqctl {command}: {await output}{await error}");
    }
}
