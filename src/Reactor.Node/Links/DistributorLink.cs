using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Reactor.Protocol;
using Reactor.Protocol.Framing;
using Reactor.Protocol.Messages;
using Reactor.Transport;

namespace Reactor.Node.Links;

/// <summary>
/// The node's connection to one distributor: dials, shakes hands, reconnects with backoff when the
/// connection drops, and keeps final results that could not be sent for the next connection. The link
/// itself (TLS, framing, the read and write loops, heartbeats, liveness) is a <see cref="PeerConnection"/>,
/// the same component the distributor's sessions use; this class keeps the node's own part: the
/// handshake it starts, and handing Dispatch/Cancel/ResultAck to its <see cref="ILinkHandler"/>.
/// </summary>
internal sealed partial class DistributorLink
{
    private const int MaxBacklog = 100_000;

    private readonly DistributorAddress _address;
    private readonly NodeIdentity _identity;
    private readonly ILinkHandler _handler;
    private readonly MessageCodec _codec;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly NodeOptions _options;
    private readonly Queue<Result> _backlog = new();
    private readonly AckWindow _sent = new();
    private readonly Lock _gate = new();
    private PeerConnection? _connection;
    private int _pendingCredit;

    public DistributorLink(DistributorAddress address, NodeIdentity identity, ILinkHandler handler, MessageCodec codec,
        NodeOptions options, TimeProvider time, ILogger logger)
    {
        _address = address;
        _identity = identity;
        _handler = handler;
        _codec = codec;
        _options = options;
        _time = time;
        _logger = logger;
    }

    public DistributorAddress Address => _address;

    /// <summary>The id the distributor gave in its last greeting (JobReactor's "distributor" field).</summary>
    public string DistributorId { get; private set; } = "";

    /// <summary>The protocol version agreed in the last handshake; results are sent in its form (<see cref="Result.ForVersion"/>).</summary>
    public int ProtocolVersion { get; private set; } = ProtocolLimits.CurrentVersion;

    /// <summary>Counts successful handshakes; jobs remember the generation they arrived on.</summary>
    public int Generation { get; private set; }

    public bool IsConnected => _connection is not null;

    /// <summary>Why the last connection attempt failed or the last connection ended; null while connected or before the first attempt ended.</summary>
    public string? LastError { get; private set; }

    /// <summary>Queues a message on the live connection; false when there is none.</summary>
    public bool Send(IReactorMessage message)
    {
        var connection = _connection;
        return connection is not null && connection.Send(message);
    }

    /// <summary>Sends a result now, or keeps it for the next connection so a finished job's outcome is not lost.</summary>
    public void SendResult(Result result)
    {
        lock (_gate)
        {
            if (_connection is not null && SendLocked(_connection, result))
            {
                return;
            }
            if (_backlog.Count >= MaxBacklog)
            {
                _backlog.Dequeue();
            }
            _backlog.Enqueue(result);
        }
    }

    /// <summary>
    /// Sends a result on <paramref name="connection"/> in its version's form; a final one is numbered for a
    /// <c>ResultAckRange</c>. Under the lock, so the numbers follow the order the results reach the wire.
    /// </summary>
    private bool SendLocked(PeerConnection connection, Result result)
    {
        var message = result.ForVersion(ProtocolVersion);
        if (!connection.Send(message))
        {
            return false;
        }
        if (message.Final && ProtocolVersion >= ProtocolLimits.RangeAckVersion)
        {
            _sent.Add(message);
        }
        return true;
    }

    /// <summary>Maps a <c>ResultAckRange</c> back to job ids and hands them to the node.</summary>
    private void Acknowledge(ResultAckRange range)
    {
        var jobIds = new List<string>(Math.Min(range.Count, 1024));
        lock (_gate)
        {
            _sent.Acknowledge(range.First, range.Count, jobIds);
        }
        if (jobIds.Count > 0)
        {
            _handler.OnResultsAcknowledged(this, jobIds);
        }
    }

    /// <summary>Counts a credit to return; <see cref="FlushCredit"/> sends them in one message.</summary>
    public void ReturnCredit(int count = 1)
    {
        if (Interlocked.Add(ref _pendingCredit, count) >= Math.Max(1, _identity.Capacity / 4))
        {
            FlushCredit();
        }
    }

    /// <summary>Sends the credit counted so far, unless there is none, no connection, or the node withholds it (<see cref="ILinkHandler.WithholdCredit"/>).</summary>
    public void FlushCredit()
    {
        if (Volatile.Read(ref _pendingCredit) == 0 || _connection is null || _handler.WithholdCredit)
        {
            return;
        }
        var count = Interlocked.Exchange(ref _pendingCredit, 0);
        if (count > 0 && !Send(new Credit(count)))
        {
            Interlocked.Add(ref _pendingCredit, count);
        }
    }

    /// <summary>Connects and reconnects until <paramref name="stopping"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        var delay = _options.ReconnectDelay;
        while (!stopping.IsCancellationRequested)
        {
            var welcomed = false;
            try
            {
                welcomed = await ConnectAndServeAsync(stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (InvalidDataException e)
            {
                LastError = "protocol violation: " + e.Message;
                // Garbage from the distributor (or whatever answers on its port) ends this connection
                // only; the next attempt waits out the backoff like any failed one.
                LogProtocolViolation(_logger, _address.ToString(), e.Message);
            }
            catch (Exception e) when (e is SocketException or IOException or TimeoutException or OperationCanceledException)
            {
                LastError = e is OperationCanceledException ? "timed out connecting or in the handshake" : e.Message;
                LogLinkFailed(_logger, _address.ToString(), e.Message);
            }
            catch (Exception e)
            {
                // A bug rather than a network fault; a link that ended here would leave the node alive
                // but deaf to this distributor for good, so it is logged and the link dials again.
                LastError = e.Message;
                LogLinkError(_logger, _address.ToString(), e);
            }
            if (welcomed)
            {
                LastError ??= "the connection closed";
                delay = _options.ReconnectDelay;
            }
            try
            {
                await Task.Delay(Jitter(delay), _time, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxReconnectDelay.Ticks));
        }
    }

    /// <summary>
    /// Closes the live connection without a Goodbye, as if it dropped: the distributor dispatches what
    /// it sent here to other nodes. The link reconnects as usual.
    /// </summary>
    public void Drop() => _connection?.Close();

    /// <summary>Records why the handshake ended without a Welcome (a Reject, a version mismatch).</summary>
    private void Refused(string reason) => LastError = reason;

    /// <summary>Says goodbye on the live connection (graceful stop) and lets queued frames go out.</summary>
    public async Task CloseAsync(string reason)
    {
        var connection = _connection;
        if (connection is null)
        {
            return;
        }
        FlushCredit();
        connection.Send(new Goodbye(reason));
        await connection.DrainAndCloseAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
    }

    private static TimeSpan Jitter(TimeSpan delay) =>
        delay + TimeSpan.FromTicks((long)(delay.Ticks * 0.2 * Random.Shared.NextDouble()));

    [LoggerMessage(EventId = 100, Level = LogLevel.Warning, Message = "Link to distributor {Address} failed: {Reason}")]
    private static partial void LogLinkFailed(ILogger logger, string address, string reason);

    [LoggerMessage(EventId = 108, Level = LogLevel.Warning, Message = "Dropped the connection to distributor {Address}: protocol violation: {Reason}; reconnecting")]
    private static partial void LogProtocolViolation(ILogger logger, string address, string reason);

    [LoggerMessage(EventId = 109, Level = LogLevel.Error, Message = "Link to distributor {Address} failed unexpectedly; reconnecting")]
    private static partial void LogLinkError(ILogger logger, string address, Exception error);

    [LoggerMessage(EventId = 110, Level = LogLevel.Error, Message = "Distributor {Address} speaks protocol version {Version}, this node speaks {Supported}; closed, will retry")]
    private static partial void LogVersionMismatch(ILogger logger, string address, long version, int supported);
}
