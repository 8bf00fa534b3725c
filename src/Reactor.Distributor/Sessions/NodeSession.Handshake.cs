using System.Security.Cryptography;
using Reactor.Protocol;
using Reactor.Protocol.Messages;
using Reactor.Transport;

namespace Reactor.Distributor.Sessions;

internal sealed partial class NodeSession
{
    private const int MaxJobNames = 10_000;

    /// <summary>Greeting → Hello → Welcome, or Reject and close. The node's slot, or null when it was turned away.</summary>
    private async Task<NodeSlot?> HandshakeAsync(PeerConnection connection, CancellationToken stopping)
    {
        var nonce = RandomNumberGenerator.GetBytes(16);
        connection.Send(Greeting.ForThisBuild(_context.DistributorId, nonce, _context.Options.Secret is not null));
        using var deadline = new HandshakeDeadline(_context.Options.HandshakeTimeout, _context.Time, stopping);
        IReactorMessage? first;
        try
        {
            first = await connection.ReceiveAsync(deadline).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.Expired)
        {
            LogHandshakeTimeout(_logger, Remote, _context.Options.HandshakeTimeout);
            return null;
        }
        if (first is not Hello hello)
        {
            throw new InvalidDataException(first is null
                ? "closed before saying Hello"
                : $"expected Hello, got {Describe(first)}");
        }
        var refusal = Check(hello, nonce);
        NodeSlot? slot = null;
        if (refusal is null)
        {
            // Before the node joins: the jobs waiting for it leave as soon as it does.
            connection.BatchDispatches = hello.ProtocolVersion >= ProtocolLimits.DispatchBatchVersion;
            slot = new NodeSlot(hello.NodeName, hello.JobNames, hello.Capacity, hello.StorageKind, _context.Time.GetUtcNow(), this);
            var welcome = new Welcome(_context.DistributorId, (int)_context.Options.HeartbeatInterval.TotalMilliseconds);
            if (!_context.Dispatcher.TryJoin(slot, () => connection.Send(welcome)))
            {
                refusal = $"a node named '{hello.NodeName}' is already connected";
            }
        }
        if (refusal is not null)
        {
            LogRejected(_logger, Remote, refusal);
            connection.Send(new Reject(refusal));
            await connection.DrainAndCloseAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
            return null;
        }
        _slot = slot;
        _acks = new ResultAcks(Send, hello.ProtocolVersion >= ProtocolLimits.RangeAckVersion);
        LogNodeJoined(_logger, slot!.Name, Remote, slot.JobNames.Count, hello.Capacity, slot.StorageKind);
        _context.NodeJoined(slot.Name);
        return slot;
    }

    private string? Check(Hello hello, byte[] nonce)
    {
        if (!ProtocolLimits.Speaks(hello.ProtocolVersion))
        {
            return $"protocol version {hello.ProtocolVersion} is not supported; this distributor speaks {ProtocolLimits.OldestVersion} to {ProtocolLimits.CurrentVersion}";
        }
        if (string.IsNullOrWhiteSpace(hello.NodeName) || hello.NodeName.Length > 200 || hello.NodeName.Any(char.IsControl))
        {
            return "node name must be 1-200 characters without control characters";
        }
        if (hello.Capacity < 1)
        {
            return "capacity must be at least 1";
        }
        if (hello.JobNames is null || hello.JobNames.Length > MaxJobNames || hello.JobNames.Any(string.IsNullOrEmpty))
        {
            return $"job names must be a list of at most {MaxJobNames} non-empty names";
        }
        if (_context.Options.Secret is { } secret && !SecretProof.Verify(secret, nonce, hello.NodeName, hello.AuthProof))
        {
            return hello.AuthProof is null ? "this distributor requires a shared secret" : "wrong shared secret";
        }
        return null;
    }
}
