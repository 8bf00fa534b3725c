using System.Text;
using Microsoft.AspNetCore.Http;

namespace Reactor.Dashboard;

// Live updates: a Server-Sent Events stream per open page that sends the page body again whenever it
// changed, at most once per LiveInterval. Renderings are shared through the cache, and the number of
// streams is capped, so many open browsers cost a bounded amount of work.
internal sealed partial class DashboardApp
{
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    private int _liveConnections;

    public async Task<IResult> LiveAsync(HttpContext context, string path)
    {
        if (await DenyAsync(context).ConfigureAwait(false) is { } denied)
        {
            return denied;
        }
        if (Interlocked.Increment(ref _liveConnections) > _options.MaxLiveConnections)
        {
            Interlocked.Decrement(ref _liveConnections);
            return Results.Text("Too many live dashboard connections; reload the page by hand.", "text/plain", statusCode: 503);
        }
        try
        {
            await StreamAsync(context, path).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The browser left the page.
        }
        finally
        {
            Interlocked.Decrement(ref _liveConnections);
        }
        return Results.Empty;
    }

    private async Task StreamAsync(HttpContext context, string path)
    {
        var cancellation = context.RequestAborted;
        var token = Reactor.Dashboard.Html.Html.E(_antiforgery.GetAndStoreTokens(context).RequestToken ?? "");
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-store";
        response.Headers["X-Accel-Buffering"] = "no";
        // The version and flash parameters do not change what is rendered: leave them out of the shared key.
        var key = path.Trim('/') + "?" + string.Join("&", context.Request.Query.Where(p => p.Key is not ("v" or "flash" or "ok"))
            .OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value.ToString())}"));
        var query = context.Request.Query;
        // A reconnecting EventSource sends the version it shows; nothing is resent until the page changes.
        string? last = context.Request.Headers["Last-Event-ID"].ToString() is { Length: > 0 } shown ? shown : context.Request.Query["v"].ToString();
        var quietSince = _time.GetUtcNow();
        await response.WriteAsync("retry: 3000\n\n", cancellation).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellation).ConfigureAwait(false);
        while (!cancellation.IsCancellationRequested)
        {
            var page = await _cache.GetAsync(key, () => _renderer.RenderAsync(path, query, CancellationToken.None)).ConfigureAwait(false);
            var version = Reactor.Dashboard.Html.Layout.Version(page.Body);
            if (version != last)
            {
                var body = page.Body.Replace(Reactor.Dashboard.Html.Html.TokenMarker, token, StringComparison.Ordinal);
                await response.WriteAsync(Event("update", body, version), cancellation).ConfigureAwait(false);
                await response.Body.FlushAsync(cancellation).ConfigureAwait(false);
                last = version;
                quietSince = _time.GetUtcNow();
            }
            else if (_time.GetUtcNow() - quietSince >= KeepAlive)
            {
                // A comment line keeps proxies from closing an idle stream.
                await response.WriteAsync(": still here\n\n", cancellation).ConfigureAwait(false);
                await response.Body.FlushAsync(cancellation).ConfigureAwait(false);
                quietSince = _time.GetUtcNow();
            }
            await Task.Delay(_options.LiveInterval, _time, cancellation).ConfigureAwait(false);
        }
    }

    /// <summary>One SSE event; every line of the data gets its own <c>data:</c> field, as the format requires.</summary>
    internal static string Event(string name, string data, string id)
    {
        var text = new StringBuilder(data.Length + 64).Append("id: ").Append(id).Append("\nevent: ").Append(name).Append('\n');
        foreach (var line in data.Split('\n'))
        {
            text.Append("data: ").Append(line.TrimEnd('\r')).Append('\n');
        }
        return text.Append('\n').ToString();
    }
}
