using System.Net.Sockets;
using System.Text.RegularExpressions;
using NUnit.Framework;
using Reactor.Tests.Integration.Cli;
using Reactor.Tests.Integration.Support;

namespace Reactor.Tests.Integration.Metrics;

/// <summary><c>reactor node</c> exporting metrics: Prometheus on --metrics-port, OTLP from the OTEL_* variables.</summary>
[TestFixture]
[CancelAfter(180_000)]
public sealed partial class NodeExportTests
{
    private static readonly Dictionary<string, string> NoEnvironment = [];

    [Test]
    public async Task Metrics_port_serves_reactor_jobs_completed_total_with_the_node_counts()
    {
        await using var cluster = await Cluster.StartAsync();
        var port = MetricsNode.FreePort();
        await using var node = MetricsNode.Start("scraped", cluster.Address, NoEnvironment, "--metrics-port", port.ToString());
        await cluster.WaitForNodesAsync(1);

        var runs = Enumerable.Range(0, 3).Select(_ => cluster.Distributor.EnqueueAsync("noop"))
            .Append(cluster.Distributor.EnqueueAsync("fail", null, new EnqueueOptions { MaxAttempt = 1 }))
            .Append(cluster.Distributor.EnqueueAsync("fail", null, new EnqueueOptions { MaxAttempt = 1 }));
        await Task.WhenAll(runs).WaitAsync(Cluster.Patience);

        // The node counts a job before it sends the result, so the page holds all five by now.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var page = await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics"));
        Assert.Multiple(() =>
        {
            Assert.That(Completed(page, "noop", "succeeded"), Is.EqualTo(3), page);
            Assert.That(Completed(page, "fail", "failed"), Is.EqualTo(2), page);
            Assert.That(page, Does.Contain("# TYPE reactor_jobs_completed_total counter"));
            Assert.That(page, Does.Contain("reactor_job_duration_seconds_bucket"));
        });
    }

    [Test]
    public async Task Metrics_port_in_use_exits_2_with_a_clear_message()
    {
        using var taken = new TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;

        var result = await CliProcess.RunAsync(["node", "--name", "busy", "--distributor", "127.0.0.1:1", "--metrics-port", port.ToString()]);

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.Stderr, Does.Contain($"--metrics-port {port} is already in use"), result.ToString());
    }

    [Test]
    public async Task An_otlp_endpoint_that_refuses_connections_does_not_stop_the_node_running_jobs()
    {
        await using var cluster = await Cluster.StartAsync();
        var refused = MetricsNode.FreePort();
        var environment = new Dictionary<string, string>
        {
            ["OTEL_METRICS_EXPORTER"] = "otlp",
            ["OTEL_TRACES_EXPORTER"] = "otlp",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{refused}",
            // Export every 100 ms so that many exports fail while the jobs run.
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "100",
            ["OTEL_SERVICE_NAME"] = "metrics-test",
        };
        await using var node = MetricsNode.Start("unexported", cluster.Address, environment);
        await cluster.WaitForNodesAsync(1);

        for (var round = 0; round < 5; round++)
        {
            var results = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => cluster.Distributor.EnqueueAsync("noop"))).WaitAsync(Cluster.Patience);
            Assert.That(results.All(r => r.Outcome == JobOutcome.Succeeded), Is.True);
            // Long enough between rounds for several exports to fail (each round waits on real work, not a clock).
            await cluster.Distributor.EnqueueAsync("sleep", new { ms = 300 }).WaitAsync(Cluster.Patience);
        }

        Assert.That(node.HasExited, Is.False, string.Join("\n", node.Output));
        Assert.That(node.Output.Count(l => l.Contains("export", StringComparison.OrdinalIgnoreCase)), Is.LessThan(10),
            "failed exports do not flood the output:\n" + string.Join("\n", node.Output));
        // Dozens of exports failed, well within a minute: the operator hears of it exactly once.
        var warnings = node.Output.Where(l => l.Contains("OpenTelemetry export failed (OpenTelemetry-Exporter-OpenTelemetryProtocol)", StringComparison.Ordinal)).ToList();
        Assert.That(warnings, Has.Count.EqualTo(1), "one warning a minute at most:\n" + string.Join("\n", node.Output));
        Assert.That(warnings[0], Does.Contain("warn:").And.Contain("127.0.0.1:" + refused), warnings[0]);
    }

    private static double Completed(string page, string job, string outcome)
    {
        var line = page.Split('\n').FirstOrDefault(l => l.StartsWith("reactor_jobs_completed_total{", StringComparison.Ordinal)
            && l.Contains($"reactor_job_name=\"{job}\"", StringComparison.Ordinal)
            && l.Contains($"reactor_job_outcome=\"{outcome}\"", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(Value().Match(line).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"\}\s+([0-9.eE+-]+)")]
    private static partial Regex Value();
}
