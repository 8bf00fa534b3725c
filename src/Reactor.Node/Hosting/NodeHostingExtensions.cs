using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Reactor;

/// <summary>Runs a <see cref="ReactorNode"/> inside a generic host.</summary>
public static class NodeHostingExtensions
{
    /// <summary>
    /// Registers a node as a singleton, started with the host and stopped gracefully with it
    /// (running jobs finish, waiting ones go back to the distributor).
    /// </summary>
    public static IServiceCollection AddReactorNode(this IServiceCollection services, Action<NodeOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        // The validator returns the problems themselves: a bool predicate here would replace them
        // with one fixed message and the host would fail without saying which setting is wrong.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<NodeOptions>, NodeOptionsValidator>());
        services.AddOptions<NodeOptions>()
            .Configure(configure)
            .ValidateOnStart();
        services.AddSingleton(sp => new ReactorNode(
            sp.GetRequiredService<IOptions<NodeOptions>>().Value,
            sp.GetService<ILoggerFactory>(),
            sp.GetService<TimeProvider>()));
        services.AddHostedService<NodeHostedService>();
        return services;
    }

    private sealed class NodeHostedService(ReactorNode node) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => node.StartAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => node.StopAsync(cancellationToken);
    }
}
