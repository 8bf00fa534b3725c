using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Reactor;

/// <summary>Runs a <see cref="ReactorDistributor"/> inside a generic host.</summary>
public static class DistributorHostingExtensions
{
    /// <summary>
    /// Registers a distributor as a singleton, started and stopped with the host. Options are
    /// validated when the host starts.
    /// </summary>
    public static IServiceCollection AddReactorDistributor(this IServiceCollection services, Action<DistributorOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<DistributorOptions>()
            .Configure(configure)
            .Validate(o => Valid(o.Validate), "invalid distributor options (see the exception from DistributorOptions.Validate)")
            .ValidateOnStart();
        services.AddSingleton(sp => new ReactorDistributor(
            sp.GetRequiredService<IOptions<DistributorOptions>>().Value,
            sp.GetService<ILoggerFactory>(),
            sp.GetService<TimeProvider>()));
        services.AddHostedService<DistributorHostedService>();
        return services;
    }

    internal static bool Valid(Action validate)
    {
        try
        {
            validate();
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private sealed class DistributorHostedService(ReactorDistributor distributor) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => distributor.StartAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => distributor.StopAsync(cancellationToken);
    }
}
