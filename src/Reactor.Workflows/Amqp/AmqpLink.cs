using System.Text;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Reactor.Workflows.Engine;
using Reactor.Workflows.Events;

namespace Reactor.Workflows.Amqp;

/// <summary>
/// The engine's RabbitMQ connection: one confirm-mode channel the relay publishes on, and one channel
/// consuming the engine's durable reply queue with manual acks and a prefetch limit. Queues are
/// declared with <see cref="WorkflowOptions.QueueType"/> (quorum by default). A keeper loop connects, waits for the
/// connection to drop, and connects again with growing, jittered delays, so a broker restart needs no
/// one's help. While disconnected, <see cref="PublishAsync"/> throws and the outbox keeps the entries.
/// </summary>
internal sealed partial class AmqpLink : IAsyncDisposable
{
    private readonly WorkflowOptions _options;
    private readonly Func<string, ReadOnlyMemory<byte>, Task> _onReply;
    private readonly Action _onConnected;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly HashSet<string> _declaredQueues = new(StringComparer.Ordinal);
    private IConnection? _connection;
    private IChannel? _publisher;
    private Task? _keeper;

    public AmqpLink(WorkflowOptions options, Func<string, ReadOnlyMemory<byte>, Task> onReply, Action onConnected, TimeProvider time, ILogger logger)
    {
        _options = options;
        _onReply = onReply;
        _onConnected = onConnected;
        _time = time;
        _logger = logger;
    }

    public string ReplyQueue => $"{_options.Exchange}.replies.{_options.EngineName}";

    public bool IsConnected => _publisher is { IsOpen: true };

    public void Start() => _keeper = Task.Run(KeepConnectedAsync);

    /// <summary>Publishes persistently and waits for the broker's confirm; throws when not connected or not confirmed.</summary>
    public async Task PublishAsync(OutboxEntry entry, CancellationToken cancellationToken)
    {
        var channel = _publisher is { IsOpen: true } open ? open : throw new InvalidOperationException("RabbitMQ is not connected");
        var body = Encoding.UTF8.GetBytes(entry.Body.ToJsonString());
        var properties = new BasicProperties { Persistent = true, ContentType = "application/json" };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        timeout.CancelAfter(_options.PublishTimeout);
        if (entry.Kind == OutboxEntry.TaskKind)
        {
            if (!_declaredQueues.Contains(entry.RoutingKey))
            {
                await DeclareQueueAsync(channel, entry.RoutingKey, timeout.Token).ConfigureAwait(false);
                _declaredQueues.Add(entry.RoutingKey);
            }
            properties.CorrelationId = entry.CorrelationId;
            properties.ReplyTo = ReplyQueue;
            properties.MessageId = entry.CorrelationId;
            await channel.BasicPublishAsync("", entry.RoutingKey, mandatory: false, properties, body, timeout.Token).ConfigureAwait(false);
        }
        else
        {
            properties.MessageId = entry.Body["event_id"]?.ToString();
            properties.Type = entry.RoutingKey;
            await channel.BasicPublishAsync(_options.Exchange, entry.RoutingKey, mandatory: false, properties, body, timeout.Token).ConfigureAwait(false);
        }
    }

    private async Task KeepConnectedAsync()
    {
        var failures = 0;
        while (!_stopping.IsCancellationRequested)
        {
            var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            try
            {
                await ConnectAsync(closed).ConfigureAwait(false);
                failures = 0;
                LogConnected(_logger, _options.EngineName);
                _onConnected();
                await closed.Task.WaitAsync(_stopping.Token).ConfigureAwait(false);
                LogDisconnected(_logger, _options.EngineName);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                failures++;
                LogConnectFailed(_logger, failures, e.Message);
            }
            await CloseAsync().ConfigureAwait(false);
            try
            {
                await Task.Delay(Backoff.Delay(_options.ReconnectDelay, _options.MaxReconnectDelay, failures), _time, _stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private async Task ConnectAsync(TaskCompletionSource closed)
    {
        var uris = _options.RabbitMq!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(u => new Uri(u)).ToList();
        var factory = new ConnectionFactory
        {
            Uri = uris[0],
            AutomaticRecoveryEnabled = false, // the keeper loop reconnects and re-declares everything itself
            ClientProvidedName = $"reactor-workflows-{_options.EngineName}",
            RequestedConnectionTimeout = _options.PublishTimeout,
        };
        // With several nodes the client tries them in turn until one accepts.
        var endpoints = uris.Select(u => new AmqpTcpEndpoint(u)).ToList();
        var connection = await factory.CreateConnectionAsync(endpoints, _stopping.Token).ConfigureAwait(false);
        _connection = connection;
        connection.ConnectionShutdownAsync += (_, _) =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };
        var publisher = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true),
            _stopping.Token).ConfigureAwait(false);
        publisher.ChannelShutdownAsync += (_, _) =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };
        await publisher.ExchangeDeclareAsync(_options.Exchange, ExchangeType.Topic, durable: true, autoDelete: false,
            cancellationToken: _stopping.Token).ConfigureAwait(false);
        await StartConsumerAsync(connection).ConfigureAwait(false);
        _declaredQueues.Clear();
        _publisher = publisher;
    }

    private async Task StartConsumerAsync(IConnection connection)
    {
        var channel = await connection.CreateChannelAsync(cancellationToken: _stopping.Token).ConfigureAwait(false);
        await DeclareQueueAsync(channel, ReplyQueue, _stopping.Token).ConfigureAwait(false);
        await channel.BasicQosAsync(0, _options.ReplyPrefetch, false, _stopping.Token).ConfigureAwait(false);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            try
            {
                // Acked only once the result is recorded: if this engine dies first, the reply stays queued.
                await _onReply(delivery.BasicProperties.CorrelationId ?? "", delivery.Body).ConfigureAwait(false);
                await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogReplyFailed(_logger, delivery.BasicProperties.CorrelationId, e.Message);
                await Task.Delay(_options.ReconnectDelay, _time).ConfigureAwait(false);
                await channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: true).ConfigureAwait(false);
            }
        };
        await channel.BasicConsumeAsync(ReplyQueue, autoAck: false, consumer, _stopping.Token).ConfigureAwait(false);
    }

    /// <summary>The queue arguments every queue the engine declares carries; workers declaring first must match them.</summary>
    internal static Dictionary<string, object?>? QueueArguments(AmqpQueueType type) =>
        type == AmqpQueueType.Quorum ? new Dictionary<string, object?> { ["x-queue-type"] = "quorum" } : null;

    private async Task DeclareQueueAsync(IChannel channel, string queue, CancellationToken cancellationToken)
    {
        try
        {
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false,
                arguments: QueueArguments(_options.QueueType), cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 406)
        {
            // The broker closed the channel: the queue exists with other arguments (most often a classic
            // queue from before quorum queues were the default). Say which and what to do.
            throw new InvalidOperationException(
                $"queue '{queue}' already exists with other arguments than a {_options.QueueType} queue ({e.ShutdownReason.ReplyText}); " +
                "set WorkflowOptions.QueueType to the existing queue's type, or drain and delete the queue (see docs/scaling.md)", e);
        }
    }

    private async Task CloseAsync()
    {
        _publisher = null;
        var connection = Interlocked.Exchange(ref _connection, null);
        if (connection is not null)
        {
            try
            {
                await connection.CloseAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Already gone: a dropped connection cannot be closed politely.
            }
            connection.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_keeper is not null)
        {
            await _keeper.ConfigureAwait(false);
        }
        await CloseAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    [LoggerMessage(EventId = 900, Level = LogLevel.Information, Message = "Workflow engine {Engine} connected to RabbitMQ")]
    private static partial void LogConnected(ILogger logger, string engine);

    [LoggerMessage(EventId = 901, Level = LogLevel.Warning, Message = "Workflow engine {Engine} lost its RabbitMQ connection; reconnecting")]
    private static partial void LogDisconnected(ILogger logger, string engine);

    [LoggerMessage(EventId = 902, Level = LogLevel.Warning, Message = "RabbitMQ connect attempt {Attempt} failed: {Reason}")]
    private static partial void LogConnectFailed(ILogger logger, int attempt, string reason);

    [LoggerMessage(EventId = 903, Level = LogLevel.Warning, Message = "Recording the worker reply {CorrelationId} failed ({Reason}); requeued")]
    private static partial void LogReplyFailed(ILogger logger, string? correlationId, string reason);
}
