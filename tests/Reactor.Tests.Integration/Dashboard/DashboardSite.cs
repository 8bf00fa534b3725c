using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Reactor.Dashboard;

namespace Reactor.Tests.Integration.Dashboard;

/// <summary>An ASP.NET Core app on a real Kestrel port serving <c>MapReactorDashboard</c>.</summary>
internal sealed class DashboardSite : IAsyncDisposable
{
    private readonly WebApplication _app;

    private DashboardSite(WebApplication app, string root)
    {
        _app = app;
        Root = root;
    }

    /// <summary>The address Kestrel listens on, without a trailing slash.</summary>
    public string Root { get; }

    public static async Task<DashboardSite> StartAsync(Action<DashboardOptions> configure, string listen = "http://127.0.0.1:0", string prefix = "/reactor")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(listen);
        builder.Logging.SetMinimumLevel(LogLevel.Error);
        builder.Services.AddReactorDashboard();
        var app = builder.Build();
        app.MapReactorDashboard(prefix, configure);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new DashboardSite(app, address.TrimEnd('/'));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
