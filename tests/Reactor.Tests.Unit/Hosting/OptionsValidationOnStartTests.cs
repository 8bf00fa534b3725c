using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using NUnit.Framework;

namespace Reactor.Tests.Unit.Hosting;

/// <summary>
/// Options registered through AddReactorNode / AddReactorDistributor are checked when the host
/// starts, and the failure names the invalid setting in the words of the options' own Validate().
/// Starting fails in validation, before any hosted service runs, so nothing listens or dials.
/// </summary>
[TestFixture]
public sealed class OptionsValidationOnStartTests
{
    [Test]
    public void Invalid_node_options_fail_host_start_with_the_validation_message()
    {
        using var host = Build(services => services.AddReactorNode(o =>
        {
            o.Name = "node-1";
            o.Distributors.Add("127.0.0.1:5000");
            o.Jobs = _ => { };
            o.Capacity = 0;
        }));

        var error = Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.That(error!.OptionsType, Is.EqualTo(typeof(NodeOptions)));
        Assert.That(error.Failures, Is.EqualTo(new[] { "Capacity must be between 1 and 1,000,000" }));
        Assert.That(error.Message, Does.Contain("Capacity must be between 1 and 1,000,000"));
    }

    [Test]
    public void Every_node_problem_is_reported_not_only_the_first()
    {
        using var host = Build(services => services.AddReactorNode(_ => { }));

        var error = Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.That(error!.Failures, Does.Contain("Name is required"));
        Assert.That(error.Failures, Does.Contain("at least one distributor address (host:port) is required"));
        Assert.That(error.Failures, Does.Contain("define jobs with JobsDirectory or Jobs"));
    }

    [Test]
    public void Invalid_distributor_options_fail_host_start_with_the_validation_message()
    {
        using var host = Build(services => services.AddReactorDistributor(o => o.Port = 70_000));

        var error = Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.That(error!.OptionsType, Is.EqualTo(typeof(DistributorOptions)));
        Assert.That(error.Failures, Is.EqualTo(new[] { "Port must be 0-65535" }));
        Assert.That(error.Message, Does.Contain("Port must be 0-65535"));
    }

    [Test]
    public void A_bad_job_limit_fails_host_start_naming_the_limit()
    {
        using var host = Build(services => services.AddReactorDistributor(o => o.Limit("send_mail", concurrency: 0).Limit("", perSecond: 5)));

        var error = Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.That(error!.Failures, Is.EqualTo(new[]
        {
            "Limit('send_mail'): concurrency must be at least 1 (was 0)",
            "Limit: the job name is empty",
        }));
    }

    [Test]
    public void Valid_options_pass_the_registered_validators()
    {
        using var host = Build(services =>
        {
            services.AddReactorDistributor(_ => { });
            services.AddReactorNode(o =>
            {
                o.Name = "node-1";
                o.Distributors.Add("127.0.0.1:5000");
                o.Jobs = _ => { };
            });
        });

        // Resolving the values runs the same validators ValidateOnStart runs, without starting anything.
        Assert.That(() => host.Services.GetRequiredService<IOptions<DistributorOptions>>().Value, Throws.Nothing);
        Assert.That(() => host.Services.GetRequiredService<IOptions<NodeOptions>>().Value, Throws.Nothing);
    }

    private static IHost Build(Action<IServiceCollection> register)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        register(builder.Services);
        return builder.Build();
    }
}
