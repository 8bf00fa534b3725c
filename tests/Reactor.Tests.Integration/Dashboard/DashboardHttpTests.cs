using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using NUnit.Framework;
using Reactor.Storage;
using Reactor.Storage.Redis;
using Reactor.Tests.Integration.Services;
using StackExchange.Redis;

namespace Reactor.Tests.Integration.Dashboard;

/// <summary>
/// The dashboard's HTTP rules, checked with plain requests against <c>MapReactorDashboard</c> on Kestrel
/// reading a private Redis (no browser: these need no script): antiforgery, local requests only, the
/// authorization hook, read-only mode, 404s, and the banner while Redis is down.
/// </summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(120_000)]
public sealed partial class DashboardHttpTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Test]
    public async Task Post_without_the_antiforgery_token_is_refused_and_changes_nothing()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        var id = await SaveFailedAsync(redis.Address);
        await using var site = await DashboardSite.StartAsync(o => o.Redis = redis.Address);
        using var client = NewClient();

        var forged = await client.PostAsync($"{site.Root}/reactor/jobs/{id}/delete", new FormUrlEncodedContent([]));
        Assert.That(forged.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await forged.Content.ReadAsStringAsync(), Does.Contain("antiforgery token is missing or invalid"));
        var wrong = await client.PostAsync($"{site.Root}/reactor/jobs/{id}/delete",
            new FormUrlEncodedContent([new("__RequestVerificationToken", "made-up")]));
        Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await LoadAsync(redis.Address, id), Is.Not.Null, "a refused POST deletes nothing");

        // The same POST with the token the page hands out (and its cookie) goes through.
        var page = await client.GetStringAsync($"{site.Root}/reactor/jobs/{id}");
        var token = TokenField().Match(page).Groups[1].Value;
        Assert.That(token, Is.Not.Empty, "the job page carries a token in its delete form");
        var real = await client.PostAsync($"{site.Root}/reactor/jobs/{id}/delete",
            new FormUrlEncodedContent([new("__RequestVerificationToken", WebUtility.HtmlDecode(token))]));
        Assert.That(real.StatusCode, Is.EqualTo(HttpStatusCode.Redirect).Or.EqualTo(HttpStatusCode.SeeOther));
        Assert.That(await LoadAsync(redis.Address, id), Is.Null);
    }

    [Test]
    public async Task Unknown_job_is_a_404_page_and_read_only_mode_hides_and_refuses_actions()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        var id = await SaveFailedAsync(redis.Address);
        await using var site = await DashboardSite.StartAsync(o => { o.Redis = redis.Address; o.ReadOnly = true; });
        using var client = NewClient();

        var missing = await client.GetAsync($"{site.Root}/reactor/jobs/no-such-job");
        Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await missing.Content.ReadAsStringAsync(), Does.Contain("No job with this id is known"));

        var page = await client.GetStringAsync($"{site.Root}/reactor/jobs/{id}");
        Assert.That(page, Does.Contain("boom &lt;b&gt;").And.Not.Contain("Delete record"), "read-only: no action buttons");
        var token = TokenField().Match(await client.GetStringAsync($"{site.Root}/reactor/jobs?status=failed")).Groups[1].Value;
        var post = await client.PostAsync($"{site.Root}/reactor/jobs/{id}/delete",
            new FormUrlEncodedContent([new("__RequestVerificationToken", WebUtility.HtmlDecode(token))]));
        Assert.That(post.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(await LoadAsync(redis.Address, id), Is.Not.Null);
    }

    [Test]
    public async Task Requests_from_another_address_are_refused_by_default_and_the_authorization_hook_decides()
    {
        var lan = LanAddress();
        Assert.That(lan, Is.Not.Null, "this test needs a non-loopback IPv4 address on this machine");
        await using var redis = await RedisServerProcess.StartAsync();
        await using var local = await DashboardSite.StartAsync(o => o.Redis = redis.Address, "http://0.0.0.0:0");
        using var client = NewClient();
        var port = new Uri(local.Root).Port;

        Assert.That((await client.GetAsync($"http://127.0.0.1:{port}/reactor/")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var remote = await client.GetAsync($"http://{lan}:{port}/reactor/");
        Assert.That(remote.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(await remote.Content.ReadAsStringAsync(), Does.Contain("local requests only"));
        Assert.That((await client.GetAsync($"http://{lan}:{port}/reactor/assets/dashboard.css")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));

        await using var hooked = await DashboardSite.StartAsync(o =>
        {
            o.Redis = redis.Address;
            o.LocalRequestsOnly = false;
            o.Authorization = context => ValueTask.FromResult(context.Request.Headers["X-Operator"] == "yes");
        }, "http://0.0.0.0:0");
        var hookedPort = new Uri(hooked.Root).Port;
        Assert.That((await client.GetAsync($"http://{lan}:{hookedPort}/reactor/")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        using var allowed = new HttpRequestMessage(HttpMethod.Get, $"http://{lan}:{hookedPort}/reactor/");
        allowed.Headers.Add("X-Operator", "yes");
        Assert.That((await client.SendAsync(allowed)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Redis_down_shows_a_banner_and_the_page_recovers_when_it_returns()
    {
        var redis = await RedisServerProcess.StartAsync();
        var port = redis.Port;
        var id = await SaveFailedAsync(redis.Address);
        await using var site = await DashboardSite.StartAsync(o => o.Redis = redis.Address);
        using var client = NewClient();
        Assert.That(await client.GetStringAsync($"{site.Root}/reactor/jobs?status=failed"), Does.Contain(id).And.Not.Contain("Redis is unreachable"));

        await redis.DisposeAsync();
        var down = await client.GetAsync($"{site.Root}/reactor/jobs?status=failed");
        Assert.That(down.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the page still renders");
        Assert.That(await down.Content.ReadAsStringAsync(), Does.Contain("Redis is unreachable"));

        await using var back = await RedisServerProcess.StartAsync(port);
        var id2 = await SaveFailedAsync(back.Address);
        var deadline = DateTime.UtcNow + Patience;
        string page;
        while (!(page = await client.GetStringAsync($"{site.Root}/reactor/jobs?status=failed")).Contains(id2, StringComparison.Ordinal))
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "the page did not recover after Redis came back:\n" + page);
            await Task.Delay(200);
        }
        Assert.That(page, Does.Not.Contain("Redis is unreachable"));
    }

    internal static HttpClient NewClient() =>
        new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() }) { Timeout = Patience };

    internal static async Task<string> SaveFailedAsync(string redis)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis);
        await using var store = new RedisJobStore(connection);
        var id = "job-" + Guid.NewGuid().ToString("N");
        await store.SaveAsync(new JobRecord
        {
            Id = id,
            Name = "report",
            Args = JobArgs.From(new { customer = 42 }),
            Node = "worker_1",
            Status = JobStatus.Failed,
            Attempt = 3,
            FailedAt = DateTimeOffset.UtcNow,
            LastError = "System.InvalidOperationException: boom <b>\n   at Report.Run()",
        });
        return id;
    }

    private static async Task<JobRecord?> LoadAsync(string redis, string id)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis);
        await using var store = new RedisJobStore(connection);
        return await store.LoadAsync(id);
    }

    private static IPAddress? LanAddress() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    internal static partial Regex TokenField();
}
