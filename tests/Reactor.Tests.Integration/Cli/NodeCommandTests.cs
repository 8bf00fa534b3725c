using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NUnit.Framework;

namespace Reactor.Tests.Integration.Cli;

[TestFixture]
[CancelAfter(120_000)]
public sealed class NodeCommandTests
{
    [Test]
    public async Task Help_lists_every_node_option_with_its_default()
    {
        var help = await CliProcess.RunAsync(["node", "--help"]);

        Assert.That(help.ExitCode, Is.Zero);
        foreach (var flag in new[]
        {
            "--name", "--distributor", "--jobs", "--storage", "--redis", "--capacity", "--max-attempt", "--retry-multiplier",
            "--retry-backoff", "--max-deferred", "--remove-done-jobs", "--remove-cancelled-jobs", "--remove-failed-jobs",
            "--retry-jobs-at-start", "--log-job-processing", "--merge-job-itself", "--secret", "--tls", "--tls-thumbprint", "--log-level",
        })
        {
            Assert.That(help.Stdout, Does.Contain(flag), flag);
        }
        Assert.That(help.Stdout, Does.Contain("(default: false)"));
    }

    [Test]
    public async Task A_jobs_script_that_does_not_compile_stops_the_node_with_file_line_and_message()
    {
        var jobs = Directory.CreateTempSubdirectory("reactor-badjobs-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(jobs.FullName, "broken.csx"), "Job(\"a\", args => { });\nJob(\"b\", args => undefined_thing);\n");

            var run = await CliProcess.RunAsync(["node", "--name", "n", "--distributor", "127.0.0.1:1", "--jobs", jobs.FullName]);

            Assert.That(run.ExitCode, Is.Not.Zero);
            Assert.That(run.Stderr, Does.Contain("broken.csx(2,"));
            Assert.That(run.Stderr, Does.Contain("CS0103"));
        }
        finally
        {
            jobs.Delete(recursive: true);
        }
    }

    [Test]
    public async Task Invalid_options_are_refused_with_a_clear_message()
    {
        var run = await CliProcess.RunAsync(["node", "--name", "n", "--distributor", "nonsense", "--jobs", "."]);

        Assert.That(run.ExitCode, Is.Not.Zero);
        Assert.That(run.Stderr, Does.Contain("distributor address 'nonsense' is not host:port"));
    }

    [TestCase("")]
    [TestCase("   ")]
    [TestCase("short")]
    public async Task A_secret_that_is_empty_whitespace_or_short_stops_the_node_at_startup(string secret)
    {
        var run = await CliProcess.RunAsync(["node", "--name", "n", "--distributor", "127.0.0.1:1", "--jobs", ".", "--secret", secret]);

        Assert.That(run.ExitCode, Is.EqualTo(2));
        Assert.That(run.Stderr, Does.Contain("Secret must"));
    }

    [Test]
    public async Task A_generic_host_runs_a_distributor_and_a_node_through_the_hosting_extensions()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddReactorDistributor(o => o.Port = 0);
        using var host = builder.Build();
        await host.StartAsync();
        var distributor = host.Services.GetRequiredService<ReactorDistributor>();
        var nodeBuilder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        nodeBuilder.Services.AddReactorNode(o =>
        {
            o.Name = "hosted";
            o.Distributors.Add($"127.0.0.1:{distributor.Port}");
            o.Jobs = j => j.Job("hi", a => a["hello"] = "world");
        });
        using var nodeHost = nodeBuilder.Build();
        await nodeHost.StartAsync();

        var result = await distributor.EnqueueAsync("hi").WaitAsync(TimeSpan.FromSeconds(30));

        Assert.That(result.Args.Get<string>("hello"), Is.EqualTo("world"));
        await nodeHost.StopAsync();
        await host.StopAsync();
    }
}
