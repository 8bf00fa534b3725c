using Microsoft.Extensions.DependencyInjection;

namespace Reactor.Dashboard;

/// <summary>Registers what <see cref="DashboardEndpointExtensions.MapReactorDashboard"/> needs.</summary>
public static class DashboardServiceExtensions
{
    /// <summary>
    /// Adds the antiforgery service the dashboard's POST actions are checked with (a no-op when the
    /// application already added it). Call it before <c>builder.Build()</c>.
    /// </summary>
    public static IServiceCollection AddReactorDashboard(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddAntiforgery();
        return services;
    }
}
