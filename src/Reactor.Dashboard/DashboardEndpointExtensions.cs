using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Reactor.Dashboard;

/// <summary>Serves the Reactor dashboard from an ASP.NET Core application.</summary>
public static class DashboardEndpointExtensions
{
    /// <summary>
    /// Maps the dashboard under <paramref name="prefix"/>: <c>/</c> (overview), <c>/jobs</c>,
    /// <c>/jobs/{id}</c>, <c>/workflows</c>, <c>/workflows/{id}</c>, <c>/flows</c>, <c>/flows/{id}</c>, plus its assets, live updates and POST actions. By default
    /// only local requests are served (see <see cref="DashboardOptions.LocalRequestsOnly"/>). Requires
    /// <see cref="DashboardServiceExtensions.AddReactorDashboard"/>. Returns the route group, so
    /// <c>.RequireAuthorization(policy)</c> and other conventions apply to every dashboard endpoint.
    /// </summary>
    /// <example><code>
    /// builder.Services.AddReactorDashboard();
    /// var app = builder.Build();
    /// app.MapReactorDashboard("/reactor", o => o.Redis = "127.0.0.1:6379");
    /// </code></example>
    public static RouteGroupBuilder MapReactorDashboard(this IEndpointRouteBuilder endpoints, string prefix = "/reactor",
        Action<DashboardOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);
        var options = new DashboardOptions();
        configure?.Invoke(options);
        options.Validate();
        var services = endpoints.ServiceProvider;
        if (services.GetService<IAntiforgery>() is null)
        {
            throw new InvalidOperationException("MapReactorDashboard needs the antiforgery service: call builder.Services.AddReactorDashboard() before builder.Build()");
        }
        var basePath = "/" + prefix.Trim('/');
        basePath = basePath == "/" ? "" : basePath;
        var app = new DashboardApp(options, basePath, services);
        services.GetService<IHostApplicationLifetime>()?.ApplicationStopped.Register(() => app.DisposeAsync().AsTask().GetAwaiter().GetResult());

        var group = endpoints.MapGroup(basePath.Length == 0 ? "/" : basePath);
        group.MapGet("/assets/{file}", (HttpContext context, string file) => app.AssetAsync(context, file));
        group.MapGet("/_live/{**path}", (HttpContext context, string? path) => app.LiveAsync(context, path ?? ""));
        group.MapGet("/jobs/find", (Func<HttpContext, Task<IResult>>)app.FindAsync);
        group.MapPost("/jobs/bulk", (Func<HttpContext, Task<IResult>>)app.BulkAsync);
        group.MapPost("/jobs/{id}/{action}", (HttpContext context, string id, string action) => app.ActAsync(context, id, action));
        group.MapGet("/flows/find", (Func<HttpContext, Task<IResult>>)app.FindFlowAsync);
        group.MapGet("/workflows/find", (Func<HttpContext, Task<IResult>>)app.FindWorkflowAsync);
        group.MapPost("/workflows/{id}/{action}", (HttpContext context, string id, string action) => app.WorkflowActAsync(context, id, action));
        group.MapGet("/", (Func<HttpContext, Task<IResult>>)(context => app.PageAsync(context, "")));
        group.MapGet("/{**path}", (HttpContext context, string? path) => app.PageAsync(context, path ?? ""));
        return group;
    }
}
