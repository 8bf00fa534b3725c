using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

using Reactor.Health;

namespace Reactor;

/// <summary>Registers the Reactor health checks with <c>services.AddHealthChecks()</c>.</summary>
public static class ReactorHealthChecksBuilderExtensions
{
    /// <summary>The name of the distributor's check.</summary>
    public const string DistributorCheckName = "reactor-distributor";

    /// <summary>The name of the node's check.</summary>
    public const string NodeCheckName = "reactor-node";

    /// <summary>
    /// Adds <see cref="DistributorHealthCheck"/> (as <c>reactor-distributor</c>) when
    /// <c>AddReactorDistributor</c> was called on these services, and <see cref="NodeHealthCheck"/>
    /// (as <c>reactor-node</c>) when <c>AddReactorNode</c> was; call it after them. Throws
    /// <see cref="InvalidOperationException"/> when neither was, rather than check nothing.
    /// </summary>
    public static IHealthChecksBuilder AddReactorHealthChecks(this IHealthChecksBuilder builder, Action<ReactorHealthCheckOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new ReactorHealthCheckOptions();
        configure?.Invoke(options);
        var hasDistributor = builder.Services.Any(d => d.ServiceType == typeof(ReactorDistributor));
        var hasNode = builder.Services.Any(d => d.ServiceType == typeof(ReactorNode));
        if (!hasDistributor && !hasNode)
        {
            throw new InvalidOperationException("AddReactorHealthChecks found no Reactor service: call AddReactorDistributor or AddReactorNode first");
        }
        string[] tags = ["reactor"];
        if (hasDistributor)
        {
            builder.Add(new HealthCheckRegistration(DistributorCheckName,
                sp => new DistributorHealthCheck(sp.GetRequiredService<ReactorDistributor>(), options), HealthStatus.Unhealthy, tags));
        }
        if (hasNode)
        {
            builder.Add(new HealthCheckRegistration(NodeCheckName,
                sp => new NodeHealthCheck(sp.GetRequiredService<ReactorNode>(), options), HealthStatus.Unhealthy, tags));
        }
        return builder;
    }
}
