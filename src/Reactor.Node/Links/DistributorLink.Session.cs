using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Reactor.Protocol;
using Reactor.Protocol.Messages;
using Reactor.Transport;

namespace Reactor.Node.Links;

internal sealed partial class DistributorLink
{
    /// <summary>One connection's life: dial, handshake, serve until it drops. True when the handshake succeeded.</summary>
    private async Task<bool> ConnectAndServeAsync(CancellationToken stopping)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        PeerConnection connection;
        try
        {
            using (var deadline = new HandshakeDeadline(_options.HandshakeTimeout, _time, stopping))
            {
                await socket.ConnectAsync(_address.Host, _address.Port, deadline.Token).ConfigureAwait(false);
            }
            var tls = _options.Tls ? LinkTls.Client(_address.Host, _options.TlsThumbprint) : null;
            connection = await PeerConnection.OpenAsync(socket, tls, _codec, _time, _options.HandshakeTimeout, ReplaceUnsendable, stopping)
                .ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        await using (connection.ConfigureAwait(false))
        {
            var welcome = await HandshakeAsync(connection, stopping).ConfigureAwait(false);
            if (welcome is null)
            {
                return false;
            }
            await ServeAsync(connection, welcome, stopping).ConfigureAwait(false);
            return true;
        }
    }

    private async Task<Welcome?> HandshakeAsync(PeerConnection connection, CancellationToken stopping)
    {
        using var deadline = new HandshakeDeadline(_options.HandshakeTimeout, _time, stopping);
        var greeting = await connection.ReceiveAsync(deadline).ConfigureAwait(false) as Greeting
            ?? throw new InvalidDataException("distributor did not start with a Greeting");
        if (ProtocolLimits.Negotiate(greeting.ProtocolVersion, greeting.MaxProtocolVersion) is not { } version)
        {
            // Not a violation: a distributor upgraded first. Say why, close, and keep retrying with
            // backoff, so the node joins once a distributor of its version answers on this address.
            LogVersionMismatch(_logger, _address.ToString(), greeting.ProtocolVersion, ProtocolLimits.CurrentVersion);
            var theirs = greeting.MaxProtocolVersion > greeting.ProtocolVersion
                ? $"{greeting.ProtocolVersion}-{greeting.MaxProtocolVersion}"
                : $"{greeting.ProtocolVersion}";
            var ours = $"{ProtocolLimits.OldestVersion}-{ProtocolLimits.CurrentVersion}";
            Refused($"the distributor speaks protocol version {theirs}, this node {ours}");
            connection.Send(new Goodbye($"this node speaks protocol version {ours}"));
            await connection.DrainAndCloseAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
            return null;
        }
        if (greeting.SecretRequired && _identity.Secret is null)
        {
            LogSecretMissing(_logger, _address.ToString());
        }
        var proof = _identity.Secret is { } secret ? SecretProof.Compute(secret, greeting.Nonce, _identity.Name) : null;
        connection.Send(new Hello(version, _identity.Name, _identity.Capacity,
            [.. _identity.JobNames], _identity.StorageKind, proof));
        switch (await connection.ReceiveAsync(deadline).ConfigureAwait(false))
        {
            case Welcome welcome:
                DistributorId = greeting.DistributorId;
                ProtocolVersion = version;
                return welcome;
            case Reject reject:
                LogRejected(_logger, _address.ToString(), reject.Reason);
                Refused("rejected: " + reject.Reason);
                return null;
            case null:
                throw new IOException("distributor closed the connection during the handshake");
            case var other:
                throw new InvalidDataException($"expected Welcome or Reject, got {other.GetType().Name}");
        }
    }

    private async Task ServeAsync(PeerConnection connection, Welcome welcome, CancellationToken stopping)
    {
        var generation = Generation + 1;
        lock (_gate)
        {
            Generation = generation;
            _connection = connection;
            _sent.Reset();
            while (_backlog.TryDequeue(out var result))
            {
                SendLocked(connection, result);
            }
        }
        Interlocked.Exchange(ref _pendingCredit, 0);
        LastError = null;
        LogConnected(_logger, _address.ToString(), welcome.DistributorId);
        // Before the read loop: the node routes jobs resumed from storage to this connection before
        // it sees the first Dispatch, which may be the distributor's copy of one of them.
        _handler.OnConnected(this, generation);
        var interval = TimeSpan.FromMilliseconds(Math.Max(50, welcome.HeartbeatIntervalMs));
        try
        {
            var end = await connection.ServeAsync(interval, message =>
            {
                Handle(message, generation);
                return ValueTask.CompletedTask;
            }, stopping).ConfigureAwait(false);
            if (end == LinkEnd.Silent)
            {
                LogSilent(_logger, _address.ToString());
            }
        }
        finally
        {
            lock (_gate)
            {
                _connection = null;
                // Unacknowledged results stay with the node (ReactorNode._unacknowledged); their numbers die with the connection.
                _sent.Reset();
            }
            connection.Close();
            LogDisconnected(_logger, _address.ToString());
            _handler.OnDisconnected(this, generation);
        }
    }

    private void Handle(IReactorMessage message, int generation)
    {
        switch (message)
        {
            case Dispatch dispatch:
                _handler.OnDispatch(this, generation, dispatch);
                break;
            case DispatchBatch batch:
                // In order, exactly as if each job had come in its own Dispatch frame, in one hop to the loop.
                _handler.OnDispatches(this, generation, batch.Jobs);
                break;
            case Cancel cancel:
                _handler.OnCancel(this, cancel);
                break;
            case ResultAck ack:
                _handler.OnResultAck(this, ack);
                break;
            case ResultAckRange range:
                Acknowledge(range);
                break;
            case Goodbye goodbye:
                LogDistributorGoodbye(_logger, _address.ToString(), goodbye.Reason);
                break;
            default:
                throw new InvalidDataException($"a node does not accept {message.GetType().Name} messages");
        }
    }

    /// <summary>
    /// A result whose args cannot be encoded, or whose frame would exceed the frame limit, still settles
    /// its job: the app gets one error feedback saying why (protocol.md section 8). Sent as it was, the
    /// distributor would drop the connection and dispatch the job again, forever.
    /// </summary>
    private void ReplaceUnsendable(IReactorMessage message, Exception error)
    {
        LogUnsendable(_logger, message.GetType().Name, error.Message);
        if (message is Result result)
        {
            lock (_gate)
            {
                // It never reached the wire, so the distributor will not count it: neither may its number.
                _sent.Remove(result);
            }
            // Only the reason travels: a few hundred bytes, far below any frame limit.
            var reason = $"the job's args cannot be sent back: {error.Message}";
            var replacement = new Result(result.JobId, JobOutcome.Failed, new JobArgs { ["error"] = reason }, reason, result.Final, result.Attempt)
            {
                Reason = JobOutcomeReason.Unsendable,
            };
            if (result.Final)
            {
                // Like any final result: kept for the next connection if this one has just closed.
                SendResult(replacement);
            }
            else
            {
                Send(replacement.ForVersion(ProtocolVersion));
            }
        }
    }

    [LoggerMessage(EventId = 107, Level = LogLevel.Error, Message = "Could not send {Message}: {Reason}")]
    private static partial void LogUnsendable(ILogger logger, string message, string reason);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Connected to distributor {Address} ({DistributorId})")]
    private static partial void LogConnected(ILogger logger, string address, string distributorId);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "Disconnected from distributor {Address}")]
    private static partial void LogDisconnected(ILogger logger, string address);

    [LoggerMessage(EventId = 103, Level = LogLevel.Error, Message = "Distributor {Address} rejected this node: {Reason}")]
    private static partial void LogRejected(ILogger logger, string address, string reason);

    [LoggerMessage(EventId = 104, Level = LogLevel.Warning, Message = "Distributor {Address} was silent for three heartbeats; reconnecting")]
    private static partial void LogSilent(ILogger logger, string address);

    [LoggerMessage(EventId = 105, Level = LogLevel.Error, Message = "Distributor {Address} requires a shared secret and this node has none (--secret)")]
    private static partial void LogSecretMissing(ILogger logger, string address);

    [LoggerMessage(EventId = 106, Level = LogLevel.Information, Message = "Distributor {Address} said goodbye: {Reason}")]
    private static partial void LogDistributorGoodbye(ILogger logger, string address, string reason);
}
