using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Reactor.Workflows.Amqp;
using Reactor.Workflows.Engine;
using Reactor.Workflows.Store;

namespace Reactor.Workflows.Events;

/// <summary>
/// Sends one engine's outbox in order: the oldest entry is published (confirmed by RabbitMQ when
/// configured), then removed, then handed to in-process subscribers. A failed publish keeps the entry
/// at the head and is retried after a growing, jittered delay, so a broker outage delays events but
/// never loses or reorders them. A crash between publish and removal sends that entry again
/// (at-least-once; consumers drop repeats by <c>event_id</c>).
/// </summary>
internal sealed partial class OutboxRelay : IAsyncDisposable
{
    private readonly IWorkflowStore _store;
    private readonly AmqpLink? _link;
    private readonly Action<WorkflowEvent> _deliver;
    private readonly WorkflowOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;

    public OutboxRelay(IWorkflowStore store, AmqpLink? link, Action<WorkflowEvent> deliver, WorkflowOptions options, TimeProvider time, ILogger logger)
    {
        _store = store;
        _link = link;
        _deliver = deliver;
        _options = options;
        _time = time;
        _logger = logger;
    }

    public void Start()
    {
        _loop = Task.Run(RunAsync);
        Signal();
    }

    /// <summary>Something was added to the outbox (or RabbitMQ came back): look again.</summary>
    public void Signal() => _wake.Writer.TryWrite(true);

    private async Task RunAsync()
    {
        var failures = 0;
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await _wake.Reader.ReadAsync(_stopping.Token).ConfigureAwait(false);
                while (await _store.PeekOutboxAsync(_options.EngineName).ConfigureAwait(false) is { } raw)
                {
                    await SendAsync(raw).ConfigureAwait(false);
                    failures = 0;
                }
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                failures++;
                LogSendFailed(_logger, failures, e.Message);
                try
                {
                    await Task.Delay(Backoff.Delay(_options.ReconnectDelay, _options.MaxReconnectDelay, failures), _time, _stopping.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                Signal();
            }
        }
    }

    private async Task SendAsync(string raw)
    {
        OutboxEntry entry;
        try
        {
            entry = OutboxEntry.Parse(raw);
        }
        catch (System.Text.Json.JsonException e)
        {
            // An unreadable entry would block every later one forever; drop it loudly instead.
            LogDropped(_logger, e.Message);
            await _store.RemoveOutboxHeadAsync(_options.EngineName, raw).ConfigureAwait(false);
            return;
        }
        if (_link is not null)
        {
            await _link.PublishAsync(entry, _stopping.Token).ConfigureAwait(false);
        }
        else if (entry.Kind == OutboxEntry.TaskKind)
        {
            LogDropped(_logger, $"task message for queue '{entry.RoutingKey}' but no RabbitMQ is configured");
        }
        await _store.RemoveOutboxHeadAsync(_options.EngineName, raw).ConfigureAwait(false);
        if (entry.AsEvent() is { } workflowEvent)
        {
            _deliver(workflowEvent);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }
        _stopping.Dispose();
    }

    [LoggerMessage(EventId = 910, Level = LogLevel.Warning, Message = "Sending the workflow outbox failed (attempt {Attempt}): {Reason}; it is kept and retried")]
    private static partial void LogSendFailed(ILogger logger, int attempt, string reason);

    [LoggerMessage(EventId = 911, Level = LogLevel.Error, Message = "Dropped an outbox entry: {Reason}")]
    private static partial void LogDropped(ILogger logger, string reason);
}
