using Microsoft.Extensions.Logging;

namespace Reactor;

/// <summary>
/// The application's entry point, after JobReactor's <c>JR</c>: <c>JR.Run(r =&gt; r.StartDistributor(...))</c>,
/// then <c>JR.Enqueue(...)</c>. It only forwards to one <see cref="ReactorHost"/>; apps that need more
/// than one, and tests, use <see cref="ReactorHost"/> directly.
/// </summary>
public static partial class JR
{
    private static ReactorHost? _host;
    private static ILoggerFactory? _ownedLoggerFactory;

    /// <summary>The host behind the facade; throws before <see cref="Run"/>.</summary>
    public static ReactorHost Host => _host ?? throw new InvalidOperationException("call JR.Run first");

    /// <summary>True once what <see cref="Run"/> started is up.</summary>
    public static bool Ready => _host?.Ready ?? false;

    /// <summary>Completes when <see cref="Ready"/> becomes true (faults if starting failed).</summary>
    public static Task WhenReady => Host.WhenReady;

    /// <summary>
    /// Starts what <paramref name="configure"/> describes in the background and returns at once;
    /// poll <see cref="Ready"/> or await <see cref="WhenReady"/>. Logs go to <paramref name="loggerFactory"/>
    /// (the app's own, e.g. its host's); without one, to the console at Information and above, so a
    /// distributor's warnings (a job no node knows, jobs waiting with no node) are never silent. Pass
    /// <c>NullLoggerFactory.Instance</c> to log nothing.
    /// </summary>
    public static void Run(Action<ReactorBuilder> configure, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var builder = new ReactorBuilder();
        configure(builder);
        var owned = loggerFactory is null ? ConsoleLogging() : null;
        var host = new ReactorHost(loggerFactory ?? owned);
        if (Interlocked.CompareExchange(ref _host, host, null) is not null)
        {
            owned?.Dispose();
            throw new InvalidOperationException("JR.Run was already called; call JR.StopAsync first");
        }
        _ownedLoggerFactory = owned;
        _ = Task.Run(() => host.StartAsync(builder));
    }

    /// <summary>The default of <see cref="Run"/>: single-line console logs, Information and above.</summary>
    internal static ILoggerFactory ConsoleLogging() => LoggerFactory.Create(b => b
        .SetMinimumLevel(LogLevel.Information)
        .AddSimpleConsole(c =>
        {
            c.SingleLine = true;
            c.TimestampFormat = "HH:mm:ss.fff ";
        }));

    /// <summary>
    /// Queues job <paramref name="name"/> and returns its id. One lambda runs per outcome, the one that
    /// matches <see cref="JobResult.Outcome"/>: <paramref name="success"/> gets the args as the node left
    /// them; <paramref name="error"/> gets them plus <c>error</c> (the reason) when the job failed;
    /// <paramref name="cancelled"/> gets them plus <c>error</c> when it was cancelled (by <see cref="Cancel"/>
    /// or by <c>CancelJob</c> in its code or an errback), and without it a cancelled job runs
    /// <paramref name="error"/>, never <paramref name="success"/>. <paramref name="progress"/> gets the job's
    /// progress reports, in order, before any of them.
    /// </summary>
    public static string Enqueue(string name, object? args = null, EnqueueOptions? options = null,
        Action<JobArgs>? success = null, Action<JobArgs>? error = null, Action<JobArgs>? cancelled = null,
        Action<JobProgress>? progress = null) =>
        ReadyDistributor.Enqueue(name, args, options, success, error, cancelled, progress);

    /// <summary>
    /// Queues one job <paramref name="name"/> per item of <paramref name="args"/>, read as a stream (at most
    /// <c>DistributorOptions.BatchWindow</c> of its jobs unsettled at once: the call waits for them before
    /// reading more; all or nothing within that window), and returns their ids; <paramref name="onBatchComplete"/>
    /// runs once when all of them settled. See <see cref="ReactorDistributor.EnqueueMany"/>.
    /// </summary>
    public static IReadOnlyList<string> EnqueueMany(string name, IEnumerable<object?> args, EnqueueOptions? options = null,
        Action<BatchResult>? onBatchComplete = null, Action<JobArgs>? success = null, Action<JobArgs>? error = null,
        Action<JobArgs>? cancelled = null) =>
        ReadyDistributor.EnqueueMany(name, args, options, onBatchComplete, success, error, cancelled);

    /// <summary>Queues a job and completes with its final result (the same outcome the lambdas of <see cref="Enqueue"/> would see); <paramref name="progress"/> hears its progress reports.</summary>
    public static Task<JobResult> EnqueueAsync(string name, object? args = null, EnqueueOptions? options = null,
        IProgress<JobProgress>? progress = null, CancellationToken cancellationToken = default) =>
        ReadyDistributor.EnqueueAsync(name, args, options, progress, cancellationToken);

    /// <summary>
    /// Starts a fork/join run with task <paramref name="name"/> (<c>svc.task</c> for another service) and
    /// returns the run id; job code continues it with <see cref="Flow.PublishNext(JobArgs, object?[])"/> and friends.
    /// </summary>
    public static string Publish(string name, object? data = null, TimeSpan? delay = null) =>
        ReadyDistributor.Publish(name, data, delay);

    /// <summary>
    /// Cancels a waiting, deferred, periodic or running job: it ends <see cref="JobOutcome.Cancelled"/>
    /// (the <c>cancelled</c> lambda, or <c>error</c> without one). Running code is not interrupted; the
    /// job ends when its attempt does.
    /// </summary>
    public static CancelResult Cancel(string jobId) => ReadyDistributor.Cancel(jobId);

    /// <summary>A settled job's result from the durable journal (needs <c>DistributorOptions.Redis</c>), or null.</summary>
    public static Task<JobResult?> GetResultAsync(string jobId) => ReadyDistributor.GetResultAsync(jobId);

    /// <summary>
    /// What the distributor holds now: connected nodes, waiting jobs per name, recent results and
    /// counts by outcome (see <see cref="ReactorDistributor.GetSnapshot"/>).
    /// </summary>
    public static DistributorSnapshot GetSnapshot() => ReadyDistributor.GetSnapshot();

    /// <summary>Stops everything <see cref="Run"/> started; <see cref="Run"/> may be called again afterwards.</summary>
    public static async Task StopAsync()
    {
        var host = Interlocked.Exchange(ref _host, null);
        if (host is not null)
        {
            await host.DisposeAsync().ConfigureAwait(false);
        }
        // After the host: its last words (nodes leaving, the distributor stopping) still reach the console.
        Interlocked.Exchange(ref _ownedLoggerFactory, null)?.Dispose();
    }

    private static ReactorDistributor ReadyDistributor =>
        Ready ? Host.Distributor : throw new InvalidOperationException("Reactor is not ready yet: wait for JR.Ready or await JR.WhenReady");
}
