using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Reactor.Distributor.Feedback;
using Reactor.Protocol.Framing;
using Reactor.Protocol.Messages;
using Reactor.Transport;

namespace Reactor.Distributor.Sessions;

/// <summary>
/// The distributor's side of one node connection. The link itself (TLS, framing, the read and write
/// loops, heartbeats, liveness) is a <see cref="PeerConnection"/>, the same component the node uses;
/// this class keeps what only the distributor does: check the Hello, and translate frames into calls
/// on the <see cref="Dispatcher"/> (which owns the node's routing state, in its <see cref="NodeSlot"/>)
/// and the feedback registry. The dispatcher reaches the node back through this session's
/// <see cref="INodeSender"/>. Whatever goes wrong here closes this connection only.
/// </summary>
internal sealed partial class NodeSession : INodeSender
{
    private readonly Socket _socket;
    private readonly SessionContext _context;
    private readonly ILogger _logger;
    private PeerConnection? _connection;
    private NodeSlot? _slot;
    private ResultAcks? _acks;

    public NodeSession(Socket socket, SessionContext context)
    {
        _socket = socket;
        _context = context;
        _logger = context.Logger;
        Remote = socket.RemoteEndPoint?.ToString() ?? "?";
    }

    public string Remote { get; }

    /// <summary>The node's name once it joined; empty before.</summary>
    public string NodeName => _slot?.Name ?? "";

    /// <inheritdoc />
    public DateTimeOffset LastReceived => _connection?.LastReceived ?? _context.Time.GetUtcNow();

    public void Send(IReactorMessage message) => _connection?.Send(message);

    void INodeSender.Dispatch(Dispatch dispatch) => Send(dispatch);

    void INodeSender.Cancel(string jobId) => Send(new Cancel(jobId));

    public void Close() => _connection?.Close();

    /// <summary>Serves the connection until it closes. Never throws: every ending is logged with its reason.</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        try
        {
            var connection = await OpenAsync(stopping).ConfigureAwait(false);
            if (connection is null)
            {
                return;
            }
            _connection = connection;
            await using (connection.ConfigureAwait(false))
            {
                if (await HandshakeAsync(connection, stopping).ConfigureAwait(false) is { } slot)
                {
                    await ServeAsync(connection, slot, stopping).ConfigureAwait(false);
                }
            }
        }
        catch (InvalidDataException e)
        {
            LogProtocolError(_logger, Describe(), e.Message);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
        {
            LogConnectionLost(_logger, Describe(), e.Message);
        }
        catch (Exception e)
        {
            // A bug, not a peer's fault (decode errors arrive as InvalidDataException): still this
            // connection only. Logged here because nothing awaits a session's task.
            LogSessionFailed(_logger, Describe(), e);
        }
        finally
        {
            if (_slot is { } slot)
            {
                Depart(slot, lost: !stopping.IsCancellationRequested);
            }
        }
    }

    /// <summary>Hands this node's jobs back to the dispatcher; fails those whose nodes kept dying.</summary>
    private void Depart(NodeSlot slot, bool lost)
    {
        var outcome = _context.Dispatcher.Leave(slot, lost);
        if (outcome.Resent > 0)
        {
            LogRedispatched(_logger, NodeName, outcome.Resent);
        }
        foreach (var job in outcome.Exhausted)
        {
            var error = _context.Dispatcher.ExhaustedError(job);
            LogDispatchesExhausted(_logger, job.Name, job.Id, job.Losses);
            // The same path as any job that ends without a node's result: one error feedback, and the
            // durable journal (if any) settles it, so it is never dispatched again, not even after a restart.
            _context.Feedback.Fail(job.Id, JobOutcomeReason.NodesLost, job.Dispatch.Args.Clone(), error);
        }
    }

    private async Task ServeAsync(PeerConnection connection, NodeSlot slot, CancellationToken stopping)
    {
        var end = await connection.ServeAsync(_context.Options.HeartbeatInterval, message => HandleAsync(message, slot), stopping,
            _acks!.EndBatch).ConfigureAwait(false);
        if (end == LinkEnd.Silent)
        {
            LogSilent(_logger, NodeName);
        }
        LogNodeLeft(_logger, NodeName);
    }

    private ValueTask HandleAsync(IReactorMessage message, NodeSlot slot)
    {
        if (message is Publish publish)
        {
            // Awaited before the next message is handled, so the parent's final result,
            // which follows its publishes on this connection, is recorded after them.
            return new ValueTask(OnPublishAsync(publish));
        }
        Handle(message, slot);
        return ValueTask.CompletedTask;
    }

    private void Handle(IReactorMessage message, NodeSlot slot)
    {
        switch (message)
        {
            case Result result:
                OnResult(result, slot);
                break;
            case Credit credit when credit.Count > 0:
                _context.Dispatcher.AddCredit(slot, credit.Count);
                break;
            case Progress progress when !_context.Dispatcher.IsHeldByAnother(progress.JobId, slot):
                _context.Feedback.Progress(progress);
                break;
            case Progress:
                break;
            case Goodbye goodbye:
                LogNodeGoodbye(_logger, NodeName, goodbye.Reason);
                _context.Dispatcher.StopSendingTo(slot);
                break;
            default:
                throw new InvalidDataException($"a distributor does not accept {Describe(message)} from a node");
        }
    }

    private void OnResult(Result result, NodeSlot slot)
    {
        // Every final result is numbered as it arrives, whatever becomes of it: the node numbers the same way.
        var sequence = result.Final ? _acks!.Next() : 0;
        if (result.Final && result.Outcome == JobOutcome.Failed && _context.Dispatcher.IsHeldByAnother(result.JobId, slot))
        {
            // A stale failure: this node's copy was superseded when its connection dropped, and the
            // node the job went to next may still succeed. Acknowledged so the node forgets it.
            LogStaleFailure(_logger, result.JobId, NodeName);
            _acks!.Recorded(result.JobId, sequence);
            return;
        }
        if (result.Final)
        {
            _context.Dispatcher.Completed(result.JobId);
            // Acknowledged once the result is durable (with a journal), whether or not it was news:
            // a duplicate final result (a job that ran twice) is settled too, so the node can forget it.
            _context.Feedback.Deliver(result, _acks, sequence);
        }
        else
        {
            _context.Dispatcher.Progressed(result.JobId);
            _context.Feedback.Deliver(result);
        }
    }

    private string Describe() => NodeName.Length > 0 ? $"node {NodeName} ({Remote})" : $"peer {Remote}";

    private static string Describe(IReactorMessage message) => message.GetType().Name;
}

/// <summary>What every session of one distributor shares.</summary>
internal sealed record SessionContext(
    DistributorOptions Options,
    string DistributorId,
    Dispatcher Dispatcher,
    FeedbackRegistry Feedback,
    MessageCodec Codec,
    TimeProvider Time,
    ILogger Logger,
    Action<string> NodeJoined,
    System.Security.Cryptography.X509Certificates.X509Certificate2? Certificate)
{
    /// <summary>Fork/join: set when the distributor starts, before any node can connect.</summary>
    public Flows.FlowCoordinator? Flows { get; set; }
}
