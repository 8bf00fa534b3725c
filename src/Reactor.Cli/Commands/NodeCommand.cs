using System.CommandLine;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Reactor.Cli.Health;

namespace Reactor.Cli.Commands;

/// <summary><c>reactor node</c>: runs one node until Ctrl-C or SIGTERM, then stops gracefully.</summary>
internal static class NodeCommand
{
    public static Command Create()
    {
        var defaults = new NodeOptions();
        var name = new Option<string>("--name") { Description = "Node name, unique per distributor", Required = true };
        var distributors = new Option<string[]>("--distributor")
        {
            Description = "Distributor address host:port (repeat for several); required unless --discover is given",
            Arity = ArgumentArity.OneOrMore,
        };
        var discover = new Option<string?>("--discover")
        {
            Description = "Redis address of the discovery directory: connect to every distributor announced there, join new ones, drop gone ones",
        };
        var discoverPrefix = new Option<string>("--discover-prefix")
        {
            Description = "Key prefix of the discovery directory (the distributors' KeyPrefix)",
            DefaultValueFactory = _ => defaults.DiscoverKeyPrefix,
        };
        var jobs = new Option<string>("--jobs") { Description = "Jobs directory (*.csx scripts, *.dll modules)", DefaultValueFactory = _ => "reactor_jobs" };
        var storage = new Option<string>("--storage") { Description = "Job storage: memory or redis", DefaultValueFactory = _ => defaults.Storage };
        storage.AcceptOnlyFromAmong("memory", "redis");
        var redis = new Option<string?>("--redis") { Description = "Redis address for --storage redis (redis://[:password@]host:port or host:port,options)" };
        var capacity = new Option<int>("--capacity") { Description = "Jobs accepted at once per distributor", DefaultValueFactory = _ => defaults.Capacity };
        var maxAttempt = new Option<int>("--max-attempt") { Description = "Attempts per job unless the job says otherwise", DefaultValueFactory = _ => defaults.MaxAttempt };
        var retryMultiplier = new Option<double>("--retry-multiplier") { Description = "Retry delay unit in seconds", DefaultValueFactory = _ => defaults.RetryMultiplier.TotalSeconds };
        var backoff = new Option<RetryBackoff>("--retry-backoff") { Description = "Linear or ExponentialJitter", DefaultValueFactory = _ => defaults.RetryBackoff };
        var maxDeferred = new Option<int>("--max-deferred") { Description = "Deferred jobs running on the thread pool at once", DefaultValueFactory = _ => defaults.MaxDeferred };
        var maxPendingWrites = new Option<int>("--max-pending-store-writes") { Description = "Job-record writes (--storage redis) in flight before the node stops taking new jobs", DefaultValueFactory = _ => defaults.MaxPendingStoreWrites };
        var loopStall = new Option<double>("--loop-stall-timeout") { Description = "Seconds job code may hold the reactor loop (without a shorter job Timeout) before the watchdog fails it", DefaultValueFactory = _ => defaults.LoopStallTimeout.TotalSeconds };
        var shutdownGrace = new Option<double>("--shutdown-grace") { Description = "Seconds a graceful stop waits for running jobs before it cancels their tokens", DefaultValueFactory = _ => defaults.ShutdownGrace.TotalSeconds };
        var cancellationGrace = new Option<double>("--cancellation-grace") { Description = "Seconds a job may run on after its cancellation token fired (timeout, cancel, shutdown) before the node abandons it with a warning", DefaultValueFactory = _ => defaults.CancellationGrace.TotalSeconds };
        var progressInterval = new Option<double>("--progress-interval") { Description = "Shortest time between two progress reports of one job, in seconds", DefaultValueFactory = _ => defaults.ProgressInterval.TotalSeconds };
        var removeDone = Flag("--remove-done-jobs", "Delete a job's record when it completes", defaults.RemoveDoneJobs);
        var removeCancelled = Flag("--remove-cancelled-jobs", "Delete a job's record when it is cancelled", defaults.RemoveCancelledJobs);
        var removeFailed = Flag("--remove-failed-jobs", "Delete a job's record when its last attempt fails", defaults.RemoveFailedJobs);
        var retryAtStart = Flag("--retry-jobs-at-start", "Resume this node's unfinished jobs from storage at start", defaults.RetryJobsAtStart);
        var logJobs = Flag("--log-job-processing", "Log each job's start and end", defaults.LogJobProcessing);
        var mergeItself = Flag("--merge-job-itself", "Put args[\"job_itself\"] into each job's args", defaults.MergeJobItselfToArgs);
        var secret = new Option<string?>("--secret") { Description = "Shared secret for distributors that require one, at least 16 characters (or env REACTOR_SECRET)" };
        var tls = Flag("--tls", "Connect to distributors with TLS", defaults.Tls);
        var tlsThumbprint = new Option<string?>("--tls-thumbprint") { Description = "Trust the distributor certificate with this SHA-1 thumbprint (self-signed)" };
        var service = new Option<string?>("--service") { Description = "Service name: jobs are also announced as SERVICE.job for cross-service publishes" };
        var metricsPort = new Option<int?>("--metrics-port") { Description = "Serve Prometheus metrics on http://127.0.0.1:PORT/metrics (exporters for OTLP and console: OTEL_METRICS_EXPORTER, OTEL_TRACES_EXPORTER)" };
        var logLevel = new Option<LogLevel>("--log-level") { Description = "Minimum log level", DefaultValueFactory = _ => LogLevel.Information };
        var logFormat = new Option<string?>("--log-format") { Description = "Console log format: simple or json (one JSON object per line); default: Logging__Console__FormatterName, else simple" };
        logFormat.AcceptOnlyFromAmong("simple", "json");
        var healthPort = new Option<int?>("--health-port") { Description = "Answer GET /healthz on 127.0.0.1:PORT (200 healthy, 503 not, JSON body)" };

        var command = new Command("node", "Run a worker node until Ctrl-C or SIGTERM (running jobs finish, waiting ones go back)")
        {
            name, distributors, discover, discoverPrefix, jobs, storage, redis, capacity, maxAttempt, retryMultiplier, backoff, maxDeferred, maxPendingWrites, loopStall,
            shutdownGrace, cancellationGrace, progressInterval,
            removeDone, removeCancelled, removeFailed, retryAtStart, logJobs, mergeItself, secret, tls, tlsThumbprint, service, logLevel,
            metricsPort, logFormat, healthPort,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            // One description of the options, applied to a copy validated up front (a clear exit code)
            // and to the host's own options.
            void Fill(NodeOptions o)
            {
                o.Name = result.GetValue(name)!;
                o.JobsDirectory = result.GetValue(jobs);
                o.Storage = result.GetValue(storage)!;
                o.Redis = result.GetValue(redis);
                o.Capacity = result.GetValue(capacity);
                o.MaxAttempt = result.GetValue(maxAttempt);
                o.RetryMultiplier = TimeSpan.FromSeconds(result.GetValue(retryMultiplier));
                o.RetryBackoff = result.GetValue(backoff);
                o.MaxDeferred = result.GetValue(maxDeferred);
                o.MaxPendingStoreWrites = result.GetValue(maxPendingWrites);
                o.LoopStallTimeout = TimeSpan.FromSeconds(result.GetValue(loopStall));
                o.ShutdownGrace = TimeSpan.FromSeconds(result.GetValue(shutdownGrace));
                o.CancellationGrace = TimeSpan.FromSeconds(result.GetValue(cancellationGrace));
                o.ProgressInterval = TimeSpan.FromSeconds(result.GetValue(progressInterval));
                o.RemoveDoneJobs = result.GetValue(removeDone);
                o.RemoveCancelledJobs = result.GetValue(removeCancelled);
                o.RemoveFailedJobs = result.GetValue(removeFailed);
                o.RetryJobsAtStart = result.GetValue(retryAtStart);
                o.LogJobProcessing = result.GetValue(logJobs);
                o.MergeJobItselfToArgs = result.GetValue(mergeItself);
                o.Secret = result.GetValue(secret) ?? Environment.GetEnvironmentVariable("REACTOR_SECRET");
                o.Tls = result.GetValue(tls);
                o.TlsThumbprint = result.GetValue(tlsThumbprint);
                o.Service = result.GetValue(service);
                o.Discover = result.GetValue(discover);
                o.DiscoverKeyPrefix = result.GetValue(discoverPrefix)!;
                foreach (var address in result.GetValue(distributors) ?? [])
                {
                    o.Distributors.Add(address);
                }
            }
            var logging = new NodeLogging(result.GetValue(logLevel), result.GetValue(logFormat));
            return await RunAsync(Fill, logging, result.GetValue(healthPort), result.GetValue(metricsPort), cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>Binds the /healthz endpoint before the node starts, so a taken port is a clear error (null) and not a half-started node.</summary>
    private static async Task<HealthEndpoint?> OpenHealthAsync(int? port)
    {
        if (port is not { } p)
        {
            return null;
        }
        if (p is < 1 or > 65535)
        {
            await Console.Error.WriteLineAsync($"reactor node: --health-port {p} must be 1-65535").ConfigureAwait(false);
            return null;
        }
        try
        {
            return new HealthEndpoint(p);
        }
        catch (HttpListenerException e)
        {
            await Console.Error.WriteLineAsync($"reactor node: --health-port {p}: cannot listen on 127.0.0.1:{p}: {e.Message}").ConfigureAwait(false);
            return null;
        }
    }

    private static Option<bool> Flag(string name, string description, bool fallback) =>
        new(name) { Description = $"{description} (default: {fallback.ToString().ToLowerInvariant()})", DefaultValueFactory = _ => fallback };

    private static async Task<int> RunAsync(Action<NodeOptions> fill, NodeLogging logging, int? healthPort, int? metricsPort, CancellationToken cancellationToken)
    {
        var options = new NodeOptions();
        fill(options);
        IDisposable? telemetry;
        try
        {
            options.Validate();
            telemetry = NodeTelemetry.Start(options.Name, metricsPort);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync($"reactor node: {e.Message}").ConfigureAwait(false);
            return 2;
        }
        using var _ = telemetry;
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        logging.Apply(builder.Logging);
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = options.ShutdownGrace + options.CancellationGrace + TimeSpan.FromSeconds(5));
        builder.Services.AddReactorNode(fill);
        builder.Services.AddHealthChecks().AddReactorNodeHealthCheck();
        using var host = builder.Build();
        // Exporter failures surface only on the exporters' EventSources: this puts them in the node's log.
        using var exporterErrors = telemetry is null ? null
            : new ExporterErrorLog(host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Reactor.Telemetry"), TimeProvider.System);
        await using var health = await OpenHealthAsync(healthPort).ConfigureAwait(false);
        if (healthPort is not null && health is null)
        {
            return 2;
        }
        health?.Serve(host.Services.GetRequiredService<HealthCheckService>());
        try
        {
            await host.RunAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        }
        catch (JobDefinitionException e)
        {
            await Console.Error.WriteLineAsync($"reactor node: cannot load jobs: {e.Message}").ConfigureAwait(false);
            return 3;
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or IOException)
        {
            await Console.Error.WriteLineAsync($"reactor node: {e.Message}").ConfigureAwait(false);
            return 1;
        }
    }
}
