using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Reactor.Dashboard.Access;
using Reactor.Dashboard.Data;
using Reactor.Dashboard.Html;
using Reactor.Dashboard.Live;

namespace Reactor.Dashboard;

/// <summary>One mapped dashboard: its data sources, renderer and request handlers.</summary>
internal sealed partial class DashboardApp : IAsyncDisposable
{
    private const string SecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    private readonly DashboardOptions _options;
    private readonly string _basePath;
    private readonly IAntiforgery _antiforgery;
    private readonly TimeProvider _time;
    private readonly RedisRecords? _redis;
    private readonly DashboardReader _reader;
    private readonly DashboardActions _actions;
    private readonly PageRenderer _renderer;
    private readonly RenderCache _cache;

    public DashboardApp(DashboardOptions options, string basePath, IServiceProvider services)
    {
        _options = options;
        _basePath = basePath;
        _antiforgery = services.GetRequiredService<IAntiforgery>();
        _time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        _redis = options.Redis is { } address ? new RedisRecords(address, options.KeyPrefix, options.DistributorName, options.WorkflowKeyPrefix) : null;
        var distributor = options.Distributor ?? DefaultDistributor(services);
        IDashboardSource source = distributor is not null
            ? new InProcessSource(distributor)
            : _redis is not null
                ? new RedisSnapshotSource(_redis, options.KeyPrefix, options.DistributorName)
                : throw new InvalidOperationException(
                    "the dashboard has nothing to show: no distributor runs in this application (JR.Run, AddReactorDistributor) and no Redis is configured (o.Redis)");
        _reader = new DashboardReader(source, _redis, new ThroughputSampler(_time), options.PageSize);
        _actions = new DashboardActions(_reader);
        _renderer = new PageRenderer(_reader, options, basePath);
        _cache = new RenderCache(_time, options.LiveInterval);
    }

    /// <summary>The distributor registered in services, else JR's once it runs; null when neither exists at map time.</summary>
    private static Func<ReactorDistributor?>? DefaultDistributor(IServiceProvider services)
    {
        if (services.GetService<ReactorDistributor>() is { } registered)
        {
            return () => registered;
        }
        return JR.Ready || IsJrStarting() ? () => JR.Ready ? JR.Host.Distributor : null : null;
    }

    private static bool IsJrStarting()
    {
        try
        {
            _ = JR.Host;
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    public async Task<IResult> PageAsync(HttpContext context, string path)
    {
        if (await DenyAsync(context).ConfigureAwait(false) is { } denied)
        {
            return denied;
        }
        var page = await _renderer.RenderAsync(path, context.Request.Query, context.RequestAborted).ConfigureAwait(false);
        var flash = context.Request.Query["flash"].ToString();
        var section = path.Trim('/').Split('/')[0];
        var live = $"{_basePath}/_live/{path.Trim('/')}{context.Request.QueryString}";
        var html = Layout.Render(page, _options.Title, _basePath, section, live, flash.Length > 0 ? flash : null,
            context.Request.Query["ok"] == "1", _reader.Source.Description + (_options.ReadOnly ? " · read-only" : ""));
        return HtmlResult(context, html, page.Status);
    }

    private IResult HtmlResult(HttpContext context, string html, int status)
    {
        var token = _antiforgery.GetAndStoreTokens(context).RequestToken ?? "";
        Secure(context.Response);
        return Results.Content(html.Replace(Reactor.Dashboard.Html.Html.TokenMarker, Reactor.Dashboard.Html.Html.E(token), StringComparison.Ordinal),
            "text/html; charset=utf-8", System.Text.Encoding.UTF8, status);
    }

    private static void Secure(HttpResponse response)
    {
        response.Headers.ContentSecurityPolicy = SecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.XFrameOptions = "DENY";
        response.Headers["Referrer-Policy"] = "same-origin";
        response.Headers.CacheControl = "no-store";
    }

    /// <summary>Null when the request may proceed, else the 403 it gets.</summary>
    private async Task<IResult?> DenyAsync(HttpContext context)
    {
        if (_options.LocalRequestsOnly && !LocalRequests.IsLocal(context))
        {
            return Results.Text("The Reactor dashboard serves local requests only (DashboardOptions.LocalRequestsOnly).", "text/plain", statusCode: 403);
        }
        if (_options.Authorization is { } authorize && !await authorize(context).ConfigureAwait(false))
        {
            return Results.Text("Not authorized for the Reactor dashboard.", "text/plain", statusCode: 403);
        }
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        if (_redis is not null)
        {
            await _redis.DisposeAsync().ConfigureAwait(false);
        }
    }
}
