using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Reactor.Distributor;
using Reactor.Distributor.Feedback;
using Reactor.Distributor.Metrics;
using Reactor.Distributor.Sessions;
using Reactor.Protocol.Framing;

namespace Reactor;

/// <summary>
/// The in-app distributor: listens for nodes, sends each enqueued job to a node that can run it and
/// has room, keeps jobs while no such node is connected, sends a lost node's jobs again, and calls
/// the app's feedbacks when results come back.
/// </summary>
public sealed partial class ReactorDistributor : IAsyncDisposable
{
    private readonly DistributorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dispatcher _dispatcher;
    private readonly DistributorMetrics _metrics;
    private readonly FeedbackRegistry _feedback;
    private readonly MessageCodec _codec;
    private readonly SessionContext _context;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<NodeSession> _sessions = [];
    private readonly Lock _sessionsGate = new();
    private readonly List<TaskCompletionSource> _nodeWaiters = [];
    private Socket? _listener;
    private Task? _acceptLoop;
    private ITimer? _sweeper;
    private ITimer? _watch;

    /// <summary>Creates a distributor; nothing listens until <see cref="StartAsync"/>.</summary>
    public ReactorDistributor(DistributorOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        Id = options.Redis is null ? Guid.NewGuid().ToString("N") : $"{options.KeyPrefix}:{options.Name}";
        _time = timeProvider ?? TimeProvider.System;
        var factory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = factory.CreateLogger("Reactor.Distributor");
        _metrics = new DistributorMetrics(_time, _logger);
        _dispatcher = new Dispatcher(options, _time, _metrics);
        _feedback = new FeedbackRegistry(_logger, _time);
        _metrics.Observe(_dispatcher, () => _feedback.Count);
        _codec = new MessageCodec(options.Limits);
        var certificate = options.TlsCertificatePath is { } path
            ? System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12FromFile(path, options.TlsCertificatePassword)
            : null;
        _context = new SessionContext(options, Id, _dispatcher, _feedback, _codec, _time, _logger, OnNodeJoined, certificate);
    }

    /// <summary>
    /// This distributor's id, sent to nodes in the handshake and stored in their job records (the
    /// <c>distributor</c> field); a node resumes a job from storage on a link to the distributor with
    /// this id. It lives as long as the distributor's jobs do: with <see cref="DistributorOptions.Redis"/>
    /// it is <c>{KeyPrefix}:{Name}</c>, the same after an application restart (the journal keeps the
    /// jobs); without, a random id per instance (a restart forgets the jobs).
    /// </summary>
    public string Id { get; }

    /// <summary>The port actually listened on (useful with port 0).</summary>
    public int Port { get; private set; }

    /// <summary>True once the listener is up.</summary>
    public bool IsListening => _listener is not null;

    /// <summary>Names of the nodes connected now.</summary>
    public IReadOnlyList<string> ConnectedNodes => _dispatcher.NodeNames;

    /// <summary>Jobs waiting for a node.</summary>
    public int PendingCount => _dispatcher.PendingCount;

    /// <summary>Jobs on nodes without a final result yet.</summary>
    public int InFlightCount => _dispatcher.InFlightCount;

    /// <summary>This distributor's instruments (tests listen to its meter alone).</summary>
    internal DistributorMetrics Metrics => _metrics;

    /// <summary>Open connections, including peers still in the handshake (tests assert it returns to baseline).</summary>
    internal int SessionCount
    {
        get
        {
            lock (_sessionsGate)
            {
                return _sessions.Count;
            }
        }
    }

    /// <summary>Feedback entries still registered (they leave on the final result, timeout or cancel).</summary>
    public int FeedbackCount => _feedback.Count;

    /// <summary>
    /// Opens the durable journal when configured (retrying while Redis is unreachable), queues again
    /// what the journal held, then binds the listener and starts accepting nodes.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_options.Redis is not null)
        {
            await OpenJournalAsync(cancellationToken).ConfigureAwait(false);
        }
        StartFlows();
        if (_journal is not null)
        {
            // Before any node can connect: results a node kept while the app was down must find
            // their jobs registered, or they would be dropped and the jobs run again.
            await RecoverAsync().ConfigureAwait(false);
        }
        var address = _options.Host == "localhost" ? IPAddress.Loopback : IPAddress.Parse(_options.Host);
        var listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(new IPEndPoint(address, _options.Port));
            listener.Listen(512);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
        Port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        _listener = listener;
        _acceptLoop = Task.Run(AcceptLoopAsync, CancellationToken.None);
        StartedAt = _time.GetUtcNow();
        _sweeper = _time.CreateTimer(_ => FailExpired(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        StartWatch();
        LogListening(_logger, _options.Host, Port, Id);
        await StartAnnouncingAsync().ConfigureAwait(false);
    }

    /// <summary>Completes when at least <paramref name="count"/> nodes are connected.</summary>
    public async Task WaitForNodesAsync(int count = 1, CancellationToken cancellationToken = default)
    {
        while (ConnectedNodes.Count < count)
        {
            var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_sessionsGate)
            {
                _nodeWaiters.Add(waiter);
            }
            if (ConnectedNodes.Count >= count)
            {
                return;
            }
            await waiter.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stops accepting, says goodbye to nodes, and fails feedbacks still waiting.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }
        // First, so nodes that discover distributors stop dialling this one.
        await StopAnnouncingAsync().ConfigureAwait(false);
        await _stopping.CancelAsync().ConfigureAwait(false);
        StopReleaseTimers();
        _listener?.Dispose();
        _sweeper?.Dispose();
        _watch?.Dispose();
        _publisher?.Dispose();
        List<NodeSession> sessions;
        lock (_sessionsGate)
        {
            sessions = [.. _sessions];
        }
        foreach (var session in sessions)
        {
            session.Send(new Protocol.Messages.Goodbye("distributor stopping"));
            session.Close();
        }
        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }
        await _dispatcher.StopLimitsAsync().ConfigureAwait(false);
        _feedback.FailAll("the distributor stopped before the job finished");
        if (_journal is not null)
        {
            await _journal.CloseAsync(JournalFlushTimeout).ConfigureAwait(false);
        }
    }

    /// <summary>How long a stopping distributor waits for Redis to take the results it still holds.</summary>
    private static readonly TimeSpan JournalFlushTimeout = TimeSpan.FromSeconds(5);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await _feedback.DisposeAsync().ConfigureAwait(false);
        _metrics.Dispose();
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener!.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stopping.IsCancellationRequested)
                {
                    break;
                }
                LogAcceptFailed(_logger, e.Message);
                continue;
            }
            socket.NoDelay = true;
            var session = new NodeSession(socket, _context);
            lock (_sessionsGate)
            {
                _sessions.Add(session);
            }
            _ = Task.Run(async () =>
            {
                try
                {
                    await session.RunAsync(_stopping.Token).ConfigureAwait(false);
                }
                finally
                {
                    // Whatever ended the session, it must not stay listed (and hold its buffers).
                    lock (_sessionsGate)
                    {
                        _sessions.Remove(session);
                    }
                }
            });
        }
    }

    private void OnNodeJoined(string name)
    {
        List<TaskCompletionSource> waiters;
        lock (_sessionsGate)
        {
            waiters = [.. _nodeWaiters];
            _nodeWaiters.Clear();
        }
        foreach (var waiter in waiters)
        {
            waiter.TrySetResult();
        }
    }

    private void FailExpired()
    {
        var newlyUnknown = new List<string>();
        var expired = _dispatcher.TakeExpired(_time.GetUtcNow(), newlyUnknown);
        foreach (var name in newlyUnknown)
        {
            WarnUnknown(name);
        }
        if (expired.Count == 0)
        {
            return;
        }
        var known = expired.Any(e => e.Unknown) ? _dispatcher.KnownJobNames() : [];
        foreach (var (job, unknown) in expired)
        {
            if (unknown)
            {
                var error = _dispatcher.UnknownError(job, known);
                LogUnknownJobFailed(_logger, job.Name, job.Id, error);
                _feedback.Fail(job.Id, JobOutcomeReason.NotDispatched, job.Dispatch.Args.Clone(), error);
                continue;
            }
            var target = job.Node is not null && _options.AlwaysUseSpecifiedNode ? $"node '{job.Node}'" : "no node that can run it";
            // Waiting for a limit counts against the deadline: the error says so when the name has one.
            var limit = _dispatcher.LimitOf(job.Name) is { } l ? $" (or its limit, {l.Describe()}, kept it waiting)" : "";
            _feedback.Fail(job.Id, JobOutcomeReason.NotDispatched, job.Dispatch.Args.Clone(),
                $"job '{job.Name}' waited too long: {target} became available in time{limit}");
        }
    }
}
