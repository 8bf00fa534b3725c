using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Reactor.Workflows;

namespace Reactor.Tests.Integration.Workflows;

/// <summary>Another system listening on the events exchange: a queue bound to <c>workflow.#</c>.</summary>
internal sealed class EventCollector : IAsyncDisposable
{
    private readonly IConnection _connection;
    private readonly IChannel _channel;

    private EventCollector(IConnection connection, IChannel channel)
    {
        _connection = connection;
        _channel = channel;
    }

    public List<(string RoutingKey, bool Persistent, WorkflowEvent Event)> Received { get; } = [];

    public static async Task<EventCollector> StartAsync(string uri, string exchange = "reactor.workflows")
    {
        var connection = await new ConnectionFactory { Uri = new Uri(uri) }.CreateConnectionAsync();
        var channel = await connection.CreateChannelAsync();
        await channel.ExchangeDeclareAsync(exchange, ExchangeType.Topic, durable: true);
        var queue = (await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true)).QueueName;
        await channel.QueueBindAsync(queue, exchange, "workflow.#");
        var collector = new EventCollector(connection, channel);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, d) =>
        {
            var e = JsonSerializer.Deserialize<WorkflowEvent>(d.Body.Span)!;
            lock (collector.Received)
            {
                collector.Received.Add((d.RoutingKey, d.BasicProperties.Persistent, e));
            }
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(queue, autoAck: true, consumer);
        return collector;
    }

    public List<WorkflowEvent> Of(string id)
    {
        lock (Received)
        {
            return [.. Received.Where(r => r.Event.WorkflowId == id).Select(r => r.Event)];
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _channel.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
