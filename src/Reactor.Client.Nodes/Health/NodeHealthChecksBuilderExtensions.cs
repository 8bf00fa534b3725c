using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

using Reactor.Health;

namespace Reactor;

/// <summary>Registers the node's health check with <c>services.AddHealthChecks()</c>.</summary>
public static class NodeHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds <see cref="NodeHealthCheck"/> (as <c>reactor-node</c>) for the node <c>AddReactorNode</c>
    /// registered; call it after that. Throws <see cref="InvalidOperationException"/> when no node was
    /// registered, rather than check nothing. A host that also runs a distributor adds its check with
    /// <c>AddReactorHealthChecks</c>.
    /// </summary>
    public static IHealthChecksBuilder AddReactorNodeHealthCheck(this IHealthChecksBuilder builder, Action<ReactorHealthCheckOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new ReactorHealthCheckOptions();
        configure?.Invoke(options);
        if (!builder.Services.Any(d => d.ServiceType == typeof(ReactorNode)))
        {
            throw new InvalidOperationException("AddReactorNodeHealthCheck found no node: call AddReactorNode first");
        }
        builder.Add(new HealthCheckRegistration(ReactorHealthChecksBuilderExtensions.NodeCheckName,
            sp => new NodeHealthCheck(sp.GetRequiredService<ReactorNode>(), options), HealthStatus.Unhealthy, ["reactor"]));
        return builder;
    }
}
