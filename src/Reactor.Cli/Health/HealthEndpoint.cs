using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Reactor.Cli.Health;

/// <summary>
/// <c>GET /healthz</c> on 127.0.0.1 for <c>reactor node --health-port</c>: 200 when every check is
/// healthy, 503 otherwise, with a JSON body <c>{"status": ..., "checks": {name: {"status", "description"}}}</c>.
/// HttpListener rather than Kestrel: one route, loopback only, and no web stack in the node process.
/// </summary>
internal sealed class HealthEndpoint : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stopping = new();
    private Task _serving = Task.CompletedTask;

    /// <summary>Binds 127.0.0.1:<paramref name="port"/>; throws <see cref="HttpListenerException"/> when the port is taken.</summary>
    public HealthEndpoint(int port)
    {
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
    }

    /// <summary>Answers requests until disposed, running <paramref name="checks"/> for each.</summary>
    public void Serve(HealthCheckService checks) => _serving = Task.Run(() => ServeAsync(checks));

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Close();
        await _serving.ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task ServeAsync(HealthCheckService checks)
    {
        while (!_stopping.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            // One at a time is plenty for a probe, and keeps a flood of probes from piling up checks.
            await AnswerAsync(context, checks).ConfigureAwait(false);
        }
    }

    private async Task AnswerAsync(HttpListenerContext context, HealthCheckService checks)
    {
        var response = context.Response;
        try
        {
            if (context.Request.HttpMethod != "GET" || context.Request.Url?.AbsolutePath != "/healthz")
            {
                response.StatusCode = 404;
                return;
            }
            var report = await checks.CheckHealthAsync(_stopping.Token).ConfigureAwait(false);
            response.StatusCode = report.Status == HealthStatus.Healthy ? 200 : 503;
            response.ContentType = "application/json";
            var body = JsonSerializer.SerializeToUtf8Bytes(Describe(report));
            await response.OutputStream.WriteAsync(body, _stopping.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpListenerException or IOException or OperationCanceledException)
        {
            // The prober went away or the node is stopping: nothing to answer.
        }
        finally
        {
            response.Close();
        }
    }

    internal static Dictionary<string, object> Describe(HealthReport report) => new()
    {
        ["status"] = report.Status.ToString(),
        ["checks"] = report.Entries.ToDictionary(e => e.Key, e => new Dictionary<string, string?>
        {
            ["status"] = e.Value.Status.ToString(),
            ["description"] = e.Value.Description ?? e.Value.Exception?.Message,
        }),
    };
}
