using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

using Reactor.Health;

namespace Reactor;

/// <summary>Registers the distributor's health check with <c>services.AddHealthChecks()</c>.</summary>
public static class ReactorHealthChecksBuilderExtensions
{
    /// <summary>The name of the distributor's check.</summary>
    public const string DistributorCheckName = "reactor-distributor";

    /// <summary>The name of the node's check (registered by <c>AddReactorNodeHealthCheck</c> in <c>Reactor.Client.Nodes</c>).</summary>
    public const string NodeCheckName = "reactor-node";

    /// <summary>
    /// Adds <see cref="DistributorHealthCheck"/> (as <c>reactor-distributor</c>) for the distributor
    /// <c>AddReactorDistributor</c> registered; call it after that. Throws <see cref="InvalidOperationException"/>
    /// when no distributor was registered, rather than check nothing. A node's check is
    /// <c>AddReactorNodeHealthCheck</c> (package <c>Reactor.Client.Nodes</c>).
    /// </summary>
    public static IHealthChecksBuilder AddReactorHealthChecks(this IHealthChecksBuilder builder, Action<ReactorHealthCheckOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new ReactorHealthCheckOptions();
        configure?.Invoke(options);
        if (!builder.Services.Any(d => d.ServiceType == typeof(ReactorDistributor)))
        {
            throw new InvalidOperationException(
                "AddReactorHealthChecks found no distributor: call AddReactorDistributor first (for a node, use AddReactorNodeHealthCheck from Reactor.Client.Nodes)");
        }
        builder.Add(new HealthCheckRegistration(DistributorCheckName,
            sp => new DistributorHealthCheck(sp.GetRequiredService<ReactorDistributor>(), options), HealthStatus.Unhealthy, ["reactor"]));
        return builder;
    }
}
