using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
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
        // The validator returns the problems themselves: a bool predicate here would replace them
        // with one fixed message and the host would fail without saying which setting is wrong.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DistributorOptions>, DistributorOptionsValidator>());
        services.AddOptions<DistributorOptions>()
            .Configure(configure)
            .ValidateOnStart();
        services.AddSingleton(sp => new ReactorDistributor(
            sp.GetRequiredService<IOptions<DistributorOptions>>().Value,
            sp.GetService<ILoggerFactory>(),
            sp.GetService<TimeProvider>()));
        services.AddHostedService<DistributorHostedService>();
        return services;
    }

    private sealed class DistributorHostedService(ReactorDistributor distributor) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => distributor.StartAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => distributor.StopAsync(cancellationToken);
    }
}
