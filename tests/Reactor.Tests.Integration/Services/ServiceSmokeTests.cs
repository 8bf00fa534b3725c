using System.Text;
using NUnit.Framework;
using RabbitMQ.Client;
using StackExchange.Redis;

namespace Reactor.Tests.Integration.Services;

/// <summary>
/// Proves the services <see cref="TestServices"/> hands out are real and usable, so a broken
/// environment shows up here by name instead of as odd failures in every other integration test.
/// </summary>
[TestFixture]
public sealed class ServiceSmokeTests
{
    [Test]
    [CancelAfter(60_000)]
    public async Task Redis_stores_and_returns_a_value(CancellationToken cancellationToken)
    {
        var address = await TestServices.RedisAsync().WaitAsync(cancellationToken);
        // AbortOnConnectFail makes an unreachable server throw here rather than hand back a
        // multiplexer that retries silently in the background.
        var options = ConfigurationOptions.Parse(address);
        options.AbortOnConnectFail = true;
        await using var redis = await ConnectionMultiplexer.ConnectAsync(options);
        var database = redis.GetDatabase();

        // A unique key keeps concurrent runs sharing one Redis from reading each other's value;
        // the expiry cleans up after a run that dies between SET and DEL.
        var key = $"reactor:test:smoke:{Guid.NewGuid():N}";
        var value = Guid.NewGuid().ToString("N");

        Assert.That(await database.StringSetAsync(key, value, TimeSpan.FromMinutes(5)), Is.True);
        var stored = await database.StringGetAsync(key);
        Assert.That(stored.ToString(), Is.EqualTo(value));
        Assert.That(await database.KeyDeleteAsync(key), Is.True);
        Assert.That(await database.KeyExistsAsync(key), Is.False);
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task RabbitMq_delivers_a_published_message_to_a_server_named_queue(CancellationToken cancellationToken)
    {
        var uri = await TestServices.RabbitMqAsync().WaitAsync(cancellationToken);
        var factory = new ConnectionFactory { Uri = new Uri(uri) };
        await using var connection = await factory.CreateConnectionAsync(cancellationToken);
        // With confirms on, BasicPublishAsync returns only after the broker has routed the
        // message, so the BasicGet below cannot race the publish.
        var channelOptions = new CreateChannelOptions(
            publisherConfirmationsEnabled: true,
            publisherConfirmationTrackingEnabled: true);
        await using var channel = await connection.CreateChannelAsync(channelOptions, cancellationToken);

        // Exclusive + server-named: no clash with other runs, and the broker drops the queue
        // when this connection closes, whatever happens to the test.
        var queue = await channel.QueueDeclareAsync(
            queue: string.Empty,
            durable: false,
            exclusive: true,
            autoDelete: true,
            cancellationToken: cancellationToken);
        var text = $"smoke {Guid.NewGuid():N}";

        await channel.BasicPublishAsync(
            exchange: string.Empty,
            routingKey: queue.QueueName,
            mandatory: true,
            body: Encoding.UTF8.GetBytes(text),
            cancellationToken: cancellationToken);
        var delivered = await channel.BasicGetAsync(queue.QueueName, autoAck: true, cancellationToken);

        Assert.That(delivered, Is.Not.Null, "the published message was not in the queue");
        Assert.That(Encoding.UTF8.GetString(delivered!.Body.Span), Is.EqualTo(text));
    }
}
