using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using Reactor.Tests.Integration.Cli;
using Reactor.Tests.Integration.Support;

namespace Reactor.Tests.Integration.Observability;

/// <summary>The health checks in a generic host, and <c>reactor node --health-port</c> answering <c>/healthz</c>.</summary>
[TestFixture]
[CancelAfter(180_000)]
public sealed class HealthTests
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    [Test]
    public async Task Distributor_check_follows_pending_jobs_nodes_and_the_oldest_pending_age()
    {
        var time = new FakeTimeProvider();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton<TimeProvider>(time);
        // The node keeps real time: with heartbeats on the frozen clock it would hear none and leave.
        builder.Services.AddReactorDistributor(o => (o.Port, o.HeartbeatInterval) = (0, TimeSpan.FromHours(1)));
        builder.Services.AddHealthChecks().AddReactorHealthChecks(h => h.MaxPendingAge = TimeSpan.FromSeconds(60));
        using var host = builder.Build();
        await host.StartAsync();
        var distributor = host.Services.GetRequiredService<ReactorDistributor>();
        var checks = host.Services.GetRequiredService<HealthCheckService>();

        var idle = await checks.CheckHealthAsync();
        Assert.That(idle.Status, Is.EqualTo(HealthStatus.Healthy), Describe(idle));

        var added = distributor.EnqueueAsync("add", new { a = 1, b = 2 });
        var orphaned = await checks.CheckHealthAsync();
        Assert.That(orphaned.Status, Is.EqualTo(HealthStatus.Unhealthy));
        Assert.That(orphaned.Entries["reactor-distributor"].Description, Does.Contain("no node is connected").And.Contain("add (1)"));

        await using var worker = NodeProcess.Start("health", $"127.0.0.1:{distributor.Port}", Cluster.JobsDirectory,
            "--capacity", "1", "--log-level", "Warning");
        await distributor.WaitForNodesAsync(1).WaitAsync(Cluster.Patience);
        await added.WaitAsync(Cluster.Patience);
        Assert.That((await checks.CheckHealthAsync()).Status, Is.EqualTo(HealthStatus.Healthy));

        distributor.Enqueue("sleep", new { ms = 600_000 });
        distributor.Enqueue("noop");
        Assert.That((await checks.CheckHealthAsync()).Status, Is.EqualTo(HealthStatus.Healthy), "waiting for credit is fine while young");
        time.Advance(TimeSpan.FromSeconds(61));
        var stale = await checks.CheckHealthAsync();
        Assert.That(stale.Status, Is.EqualTo(HealthStatus.Unhealthy));
        Assert.That(stale.Entries["reactor-distributor"].Description, Does.Contain("job noop has waited 61 s"));
        await host.StopAsync();
    }

    [Test]
    public async Task Node_healthz_is_503_naming_the_address_while_its_distributor_is_down_then_200()
    {
        var distributorPort = FreePort();
        var healthPort = FreePort();
        await using var node = NodeProcess.Start("probe", $"127.0.0.1:{distributorPort}", Cluster.JobsDirectory,
            "--health-port", healthPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--log-level", "Warning");
        var url = $"http://127.0.0.1:{healthPort}/healthz";

        (HttpStatusCode Status, string Body) last = default;
        var down = await Wait.UntilAsync(() =>
        {
            last = Get(url);
            return last.Status == HttpStatusCode.ServiceUnavailable && last.Body.Contains("unreachable", StringComparison.Ordinal);
        }, Cluster.Patience);
        Assert.That(down, Is.True, $"{last}\n{string.Join("\n", node.Output)}");
        Assert.That(last.Body, Does.Contain($"distributor 127.0.0.1:{distributorPort} unreachable"));
        Assert.That(last.Body, Does.Contain("\"status\":\"Unhealthy\"").And.Contain("\"reactor-node\""));
        Assert.That(string.Join("\n", node.Output), Does.Contain($"Link to distributor 127.0.0.1:{distributorPort} failed"), "the warning names the address");

        await using var app = new ReactorHost();
        await app.StartDistributorAsync("127.0.0.1", distributorPort);
        var up = await Wait.UntilAsync(() => (last = Get(url)).Status == HttpStatusCode.OK, Cluster.Patience);
        Assert.That(up, Is.True, last.ToString());
        Assert.That(last.Body, Does.Contain("\"status\":\"Healthy\""));
    }

    [Test]
    public async Task Health_port_in_use_exits_with_code_2_and_says_why()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var run = await CliProcess.RunAsync(["node", "--name", "n", "--distributor", "127.0.0.1:1", "--jobs", Cluster.JobsDirectory,
            "--health-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);

        Assert.That(run.ExitCode, Is.EqualTo(2), run.ToString());
        Assert.That(run.Stderr, Does.Contain($"--health-port {port}: cannot listen on 127.0.0.1:{port}"));
    }

    private static (HttpStatusCode Status, string Body) Get(string url)
    {
        try
        {
            using var response = Http.GetAsync(url).GetAwaiter().GetResult();
            return (response.StatusCode, response.Content.ReadAsStringAsync().GetAwaiter().GetResult());
        }
        catch (HttpRequestException e)
        {
            return (0, e.Message);
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static string Describe(HealthReport report) =>
        string.Join("; ", report.Entries.Select(e => $"{e.Key}: {e.Value.Status} {e.Value.Description}"));
}
