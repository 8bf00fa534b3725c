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
        // The host's container is where job classes (AddJob<T>) find their services, a scope per run.
        services.AddSingleton(sp => new ReactorNode(
            sp.GetRequiredService<IOptions<NodeOptions>>().Value,
            sp,
            sp.GetService<ILoggerFactory>(),
            sp.GetService<TimeProvider>()));
        services.AddHostedService<NodeHostedService>();
        return services;
    }

    /// <summary>
    /// Defines the job <paramref name="name"/> as the class <typeparamref name="TJob"/> (an <see cref="IJob"/> or
    /// <see cref="IJob{TArgs}"/>). Each run resolves it in a new scope of the host's container, so its
    /// constructor takes any registered service; scoped services are disposed after the job, its callbacks
    /// and errbacks. The class is registered as scoped unless it already is. Call after <see cref="AddReactorNode"/>.
    /// </summary>
    /// <example><c>services.AddReactorNode(o =&gt; ...).AddJob&lt;SendInvoice&gt;("send_invoice");</c></example>
    public static IServiceCollection AddJob<TJob>(this IServiceCollection services, string name)
        where TJob : class
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        services.TryAddScoped<TJob>();
        // Added to NodeOptions.Jobs, so the catalog checks it like any other definition (a clash names both).
        services.Configure<NodeOptions>(o =>
        {
            var earlier = o.Jobs;
            o.Jobs = jobs =>
            {
                earlier?.Invoke(jobs);
                jobs.Job<TJob>(name);
            };
        });
        return services;
    }

    private sealed class NodeHostedService(ReactorNode node) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => node.StartAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => node.StopAsync(cancellationToken);
    }
}
