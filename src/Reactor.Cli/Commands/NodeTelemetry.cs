using System.Net;
using System.Net.Sockets;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Reactor.OpenTelemetry;

namespace Reactor.Cli.Commands;

/// <summary>
/// What <c>reactor node</c> exports: metrics and traces as the standard OpenTelemetry variables say
/// (<c>OTEL_METRICS_EXPORTER</c>, <c>OTEL_TRACES_EXPORTER</c>: otlp, console or none, default none;
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> and <c>OTEL_SERVICE_NAME</c> are read by the SDK), plus a
/// Prometheus endpoint on 127.0.0.1 with <c>--metrics-port</c>. Providers live as long as the process.
/// </summary>
internal static class NodeTelemetry
{
    public const string MetricsVariable = "OTEL_METRICS_EXPORTER";
    public const string TracesVariable = "OTEL_TRACES_EXPORTER";

    /// <summary>Starts the providers asked for; throws <see cref="ArgumentException"/> for a bad setting or a busy port.</summary>
    public static IDisposable? Start(string nodeName, int? metricsPort)
    {
        var metrics = Exporters(MetricsVariable);
        var traces = Exporters(TracesVariable);
        if (metricsPort is { } port)
        {
            EnsureFree(port);
        }
        var resource = ResourceBuilder.CreateDefault().AddService(
            Environment.GetEnvironmentVariable("OTEL_SERVICE_NAME") is { Length: > 0 } service ? service : "reactor-node",
            serviceInstanceId: nodeName);
        var providers = new List<IDisposable>();
        try
        {
            if (metrics.Count > 0 || metricsPort is not null)
            {
                var builder = Sdk.CreateMeterProviderBuilder().SetResourceBuilder(resource).AddReactorInstrumentation();
                foreach (var exporter in metrics)
                {
                    builder = exporter == "otlp" ? builder.AddOtlpExporter() : builder.AddConsoleExporter();
                }
                if (metricsPort is { } p)
                {
                    builder = builder.AddPrometheusHttpListener(o =>
                    {
                        o.Host = "127.0.0.1";
                        o.Port = p;
                        // Every scrape sees the counts of that moment, not a cached page.
                        o.ScrapeResponseCacheDurationMilliseconds = 0;
                    });
                }
                providers.Add(builder.Build());
            }
            if (traces.Count > 0)
            {
                var builder = Sdk.CreateTracerProviderBuilder().SetResourceBuilder(resource).AddReactorInstrumentation();
                foreach (var exporter in traces)
                {
                    builder = exporter == "otlp" ? builder.AddOtlpExporter() : builder.AddConsoleExporter();
                }
                providers.Add(builder.Build());
            }
        }
        catch (Exception e) when (e is not ArgumentException)
        {
            // The Prometheus listener binds while the provider is built: a port taken since the check lands here.
            Dispose(providers);
            throw new ArgumentException($"cannot start metrics export: {e.GetBaseException().Message}", e);
        }
        return providers.Count == 0 ? null : new Providers(providers);
    }

    /// <summary>The exporters a variable names (comma separated, as the specification allows); none when unset.</summary>
    private static List<string> Exporters(string variable)
    {
        var value = Environment.GetEnvironmentVariable(variable);
        var names = (value ?? "none").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(n => n.ToLowerInvariant()).Distinct().ToList();
        var unknown = names.FirstOrDefault(n => n is not ("otlp" or "console" or "none"));
        if (unknown is not null)
        {
            throw new ArgumentException($"{variable}={value}: '{unknown}' is not an exporter reactor node knows (otlp, console, none)");
        }
        return names.Where(n => n != "none").ToList();
    }

    /// <summary>
    /// Checks the port before the exporter binds it: the exporter reports a busy port only through its
    /// own diagnostics, and an operator needs to see it here, at start, with the port's number.
    /// </summary>
    private static void EnsureFree(int port)
    {
        if (port is < 1 or > 65535)
        {
            throw new ArgumentException($"--metrics-port {port} is not a TCP port (1-65535)");
        }
        var probe = new TcpListener(IPAddress.Loopback, port);
        try
        {
            probe.Start();
        }
        catch (SocketException e)
        {
            throw new ArgumentException($"--metrics-port {port} is already in use on 127.0.0.1 ({e.SocketErrorCode}); pick a free port", e);
        }
        finally
        {
            probe.Stop();
        }
    }

    private static void Dispose(List<IDisposable> providers)
    {
        foreach (var provider in providers)
        {
            provider.Dispose();
        }
    }

    /// <summary>Disposing flushes and stops every provider (the last export happens on the way out).</summary>
    private sealed class Providers(List<IDisposable> providers) : IDisposable
    {
        public void Dispose() => NodeTelemetry.Dispose(providers);
    }
}
