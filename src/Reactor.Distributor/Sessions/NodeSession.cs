using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Reactor.Distribution.Feedback;
using Reactor.Protocol.Framing;
using Reactor.Protocol.Messages;

namespace Reactor.Distribution.Sessions;

/// <summary>
/// The distributor's side of one node connection: handshake, then a read loop that translates frames
/// into calls on the <see cref="Dispatcher"/> (which owns the node's routing state, in its
/// <see cref="NodeSlot"/>) and the feedback registry, and a heartbeat that drops a silent peer. The
/// dispatcher reaches the node back through this session's <see cref="INodeSender"/>. Whatever goes
/// wrong here closes this connection only.
/// </summary>
internal sealed partial class NodeSession : INodeSender
{
    private readonly Socket _socket;
    private readonly SessionContext _context;
    private readonly ILogger _logger;
    private FramedConnection? _connection;
    private NodeSlot? _slot;
    private long _lastReceived;

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
    public DateTimeOffset LastReceived =>
        _context.Time.GetUtcNow() - _context.Time.GetElapsedTime(Volatile.Read(ref _lastReceived));

    public void Send(IReactorMessage message) => _connection?.Send(message);

    void INodeSender.Dispatch(Dispatch dispatch) => Send(dispatch);

    void INodeSender.Cancel(string jobId) => Send(new Cancel(jobId));

    public void Close() => _connection?.Close();

    /// <summary>Serves the connection until it closes. Never throws: every ending is logged with its reason.</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        try
        {
            await using var network = new NetworkStream(_socket, ownsSocket: true);
            await using var stream = await SecureAsync(network, stopping).ConfigureAwait(false);
            if (stream is null)
            {
                return;
            }
            var connection = new FramedConnection(StreamDuplexPipe.From(stream), _context.Codec)
            {
                // Enqueue validates args, so this means a bug; it must not pass silently.
                Unsendable = (message, error) => LogUnsendable(_logger, Describe(), message.GetType().Name, error.Message),
            };
            _connection = connection;
            connection.Start();
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

    private async Task ServeAsync(FramedConnection connection, NodeSlot slot, CancellationToken stopping)
    {
        var interval = _context.Options.HeartbeatInterval;
        Touch();
        using var heartbeat = _context.Time.CreateTimer(_ => Beat(connection, interval), null, interval, interval);
        using var both = CancellationTokenSource.CreateLinkedTokenSource(stopping, connection.Closed);
        try
        {
            var batch = new List<IReactorMessage>(64);
            while (await connection.ReceiveManyAsync(batch, both.Token).ConfigureAwait(false))
            {
                Touch();
                foreach (var message in batch)
                {
                    if (message is Publish publish)
                    {
                        // Awaited before the next message is handled, so the parent's final result,
                        // which follows its publishes on this connection, is recorded after them.
                        await OnPublishAsync(publish).ConfigureAwait(false);
                        continue;
                    }
                    Handle(message, slot);
                }
                batch.Clear();
            }
            LogNodeLeft(_logger, NodeName);
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            LogNodeLeft(_logger, NodeName);
        }
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
            case Heartbeat:
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
        if (result.Final && result.Outcome == JobOutcome.Failed && _context.Dispatcher.IsHeldByAnother(result.JobId, slot))
        {
            // A stale failure: this node's copy was superseded when its connection dropped, and the
            // node the job went to next may still succeed. Acknowledged so the node forgets it.
            LogStaleFailure(_logger, result.JobId, NodeName);
            Send(new ResultAck(result.JobId));
            return;
        }
        if (result.Final)
        {
            _context.Dispatcher.Completed(result.JobId);
            // Acknowledged once the result is durable (with a journal), whether or not it was news:
            // a duplicate final result (a job that ran twice) is settled too, so the node can forget it.
            _context.Feedback.Deliver(result, () => Send(new ResultAck(result.JobId)));
        }
        else
        {
            _context.Dispatcher.Progressed(result.JobId);
            _context.Feedback.Deliver(result);
        }
    }

    private void Touch() => Volatile.Write(ref _lastReceived, _context.Time.GetTimestamp());

    private void Beat(FramedConnection connection, TimeSpan interval)
    {
        if (_context.Time.GetElapsedTime(Volatile.Read(ref _lastReceived)) > interval * 3)
        {
            LogSilent(_logger, NodeName);
            connection.Close();
            return;
        }
        connection.Send(Heartbeat.Instance);
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
