using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NUnit.Framework;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Reactor.Tests.Integration.Services;
using Reactor.Workflows;

namespace Reactor.Tests.Integration.Workflows;

/// <summary>
/// A workflow on a real three-node RabbitMQ cluster (<see cref="RabbitMqClusterProcess"/>): the engine's
/// worker and reply queues are quorum queues replicated to every node, so stopping the node one worker
/// is connected to (and the engine too, when it picked that node of the three it was given) while that
/// worker holds unacknowledged tasks loses nothing: the tasks are redelivered and counted once.
/// </summary>
[TestFixture]
[CancelAfter(420_000)]
[NonParallelizable]
public sealed class RabbitMqClusterTests
{
    private const int Lines = 12;
    private const int Held = 3;

    private static string Yaml(string queue) => $"""
        workflows:
          - name: cluster-shout
            steps:
              - name: shout-lines
                task: shout-each
                queue: {queue}
              - name: tally
                depends: [ shout-lines ]
            tasks:
              - name: shout-each
                itemListKey: lines
                steps:
                  - name: shout-line
        """;

    [Test]
    public async Task A_broker_node_stopped_mid_workflow_while_a_worker_holds_unacked_tasks_loses_no_task_reply_or_event()
    {
        var cluster = await RabbitMqClusterProcess.SharedAsync();
        var status = await cluster.Nodes[2].CtlAsync("cluster_status");
        Assert.That(cluster.Nodes.All(n => status.Contains(n.Name, StringComparison.Ordinal)), Is.True, "three joined nodes:\n" + status);
        var queue = "cl-shout-" + Guid.NewGuid().ToString("N")[..8];
        var events = "cl-events-" + Guid.NewGuid().ToString("N")[..8];
        await DeclareEventQueueAsync(cluster.Nodes[2].Uri, events);
        // Node 1 goes down: the holder is connected to it, the worker to node 2, the engine to any of the three.
        await using var holder = await Worker.StartAsync(cluster.Nodes[0].Uri, queue, reply: false, prefetch: Held);
        await using var worker = await Worker.StartAsync(cluster.Nodes[1].Uri, queue, reply: true, prefetch: 4);
        await using var rig = await WorkflowRig.StartAsync(Yaml(queue), jobs => jobs.Job("tally", a =>
        {
            var outputs = (IList<object?>)WordCountJobs.Payload(a)["shout-lines"]!;
            a["total_words"] = outputs.Sum(o => Convert.ToInt64(((IDictionary<string, object?>)o!)["words"], System.Globalization.CultureInfo.InvariantCulture));
        }), o =>
        {
            o.RabbitMq = cluster.Uris(first: 0);
            o.Redis = TestServices.RedisAsync().GetAwaiter().GetResult();
            o.ReconnectDelay = TimeSpan.FromMilliseconds(200);
            o.MaxReconnectDelay = TimeSpan.FromSeconds(1);
        });

        var lines = Enumerable.Range(0, Lines).Select(i => new { text = $"line {i} of words" }).ToArray();
        var run = rig.Engine.RunWorkflowAsync("cluster-shout", new { lines });
        await WorkflowEngineTests.WaitUntilAsync(() => holder.Received.Count == Held && worker.Replied.Count == Lines - Held);
        Assert.That(run.IsCompleted, Is.False, "the held tasks keep the step open");
        var types = await cluster.Nodes[1].CtlAsync("list_queues", "name", "type");

        await cluster.Nodes[0].StopAsync();
        var result = await run.WaitAsync(TimeSpan.FromSeconds(120));

        Assert.That(types, Does.Match($@"{queue}\s+quorum"), "the worker queue is a quorum queue:\n" + types);
        Assert.That(types, Does.Match($@"reactor\.workflows\.replies\.\S+\s+quorum"), "the reply queue is a quorum queue:\n" + types);
        Assert.That(result.Status, Is.EqualTo(WorkflowStatus.Finished), result.Error);
        Assert.That(result.Output["shout-lines"]!.AsArray(), Has.Count.EqualTo(Lines));
        Assert.That((long)result.Output["total_words"]!, Is.EqualTo(Lines * 4));
        Assert.That(holder.Received.Keys.All(worker.Replied.ContainsKey), Is.True, "the held tasks were redelivered to the other worker");
        Assert.That(rig.EventsOf(result.Id, WorkflowEventTypes.TaskFinished), Has.Count.EqualTo(Lines + 1), "each task counted once");
        var local = rig.EventsOf(result.Id).Select(e => e.EventId).ToList();
        var published = await DrainAsync(cluster.Nodes[2].Uri, events, result.Id, local.Distinct().Count());
        Assert.That(local.Except(published), Is.Empty, "every event reached the queue on the surviving nodes");
    }

    private static async Task DeclareEventQueueAsync(string uri, string queue)
    {
        await using var connection = await new ConnectionFactory { Uri = new Uri(uri) }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.ExchangeDeclareAsync("reactor.workflows", ExchangeType.Topic, durable: true);
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments: Quorum);
        await channel.QueueBindAsync(queue, "reactor.workflows", "workflow.#");
    }

    private static Dictionary<string, object?> Quorum => new() { ["x-queue-type"] = "quorum" };

    private static async Task<List<string>> DrainAsync(string uri, string queue, string workflowId, int expected)
    {
        var ids = new List<string>();
        var deadline = DateTime.UtcNow + WorkflowRig.Patience;
        await using var connection = await new ConnectionFactory { Uri = new Uri(uri) }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        while (DateTime.UtcNow < deadline && ids.Distinct().Count() < expected)
        {
            var message = await channel.BasicGetAsync(queue, autoAck: true);
            if (message is null)
            {
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

    /// <summary>A queue-step worker on one node: replies and acks, or (a holder) takes tasks and never acks them.</summary>
    private sealed class Worker(IConnection connection, IChannel channel) : IAsyncDisposable
    {
        public ConcurrentDictionary<string, int> Received { get; } = new();

        public ConcurrentDictionary<string, int> Replied { get; } = new();

        public static async Task<Worker> StartAsync(string uri, string queue, bool reply, ushort prefetch)
        {
            var connection = await new ConnectionFactory { Uri = new Uri(uri) }.CreateConnectionAsync();
            var channel = await connection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments: Quorum);
            await channel.BasicQosAsync(0, prefetch, false);
            var worker = new Worker(connection, channel);
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += async (_, d) =>
            {
                var id = d.BasicProperties.CorrelationId ?? "";
                worker.Received.AddOrUpdate(id, 1, (_, n) => n + 1);
                if (!reply)
                {
                    return;
                }
                var task = JsonNode.Parse(d.Body.Span)!;
                var text = task["item"]!["text"]!.ToString();
                var answer = new JsonObject { ["status"] = "ok", ["output"] = new JsonObject { ["words"] = text.Split(' ').Length } };
                var properties = new BasicProperties { CorrelationId = id, Persistent = true, ContentType = "application/json" };
                await channel.BasicPublishAsync("", d.BasicProperties.ReplyTo!, false, properties, Encoding.UTF8.GetBytes(answer.ToJsonString()));
                await channel.BasicAckAsync(d.DeliveryTag, false);
                worker.Replied.AddOrUpdate(id, 1, (_, n) => n + 1);
            };
            await channel.BasicConsumeAsync(queue, autoAck: false, consumer);
            return worker;
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await channel.DisposeAsync();
                await connection.DisposeAsync();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The holder's node is gone: its connection cannot close politely.
            }
        }
    }
}
