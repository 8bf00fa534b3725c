using NUnit.Framework;
using OpenQA.Selenium;
using Reactor.Storage.Redis;
using Reactor.Tests.Integration.Services;
using Reactor.Tests.Integration.Support;
using StackExchange.Redis;

namespace Reactor.Tests.Integration.Dashboard;

/// <summary>
/// The dashboard in a real headless Chromium, served by <c>MapReactorDashboard</c> on Kestrel, over a
/// real distributor with a Redis journal, two <c>reactor node</c> processes storing their jobs in a
/// private Redis. One cluster, site and browser serve every test of the fixture (each costs seconds).
/// </summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(180_000)]
public sealed class DashboardBrowserTests
{
    private RedisServerProcess _redis = null!;
    private Cluster _cluster = null!;
    private DashboardSite _site = null!;
    private Browser _browser = null!;
    private ConnectionMultiplexer _connection = null!;
    private RedisJobStore _store = null!;

    private string Base => _site.Root + "/reactor";

    [OneTimeSetUp]
    public async Task Start()
    {
        _redis = await RedisServerProcess.StartAsync();
        _cluster = await Cluster.StartAsync(o =>
        {
            o.Redis = _redis.Address;
            o.UnknownJobTimeout = TimeSpan.FromSeconds(1);
        });
        _cluster.StartNode("dash_a", "--storage", "redis", "--redis", _redis.Address);
        _cluster.StartNode("dash_b", "--storage", "redis", "--redis", _redis.Address);
        await _cluster.WaitForNodesAsync(2);
        _site = await DashboardSite.StartAsync(o =>
        {
            o.Distributor = () => _cluster.Distributor;
            o.Redis = _redis.Address;
            o.LiveInterval = TimeSpan.FromMilliseconds(500);
        });
        _connection = await ConnectionMultiplexer.ConnectAsync(_redis.Address);
        _store = new RedisJobStore(_connection);
        _browser = Browser.Start();
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _browser?.Dispose();
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
        _connection?.Dispose();
        if (_site is not null)
        {
            await _site.DisposeAsync();
        }
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }

    [Test]
    public async Task Overview_lists_both_nodes_and_updates_live_without_reload()
    {
        await _cluster.Distributor.EnqueueAsync("add", new { a = 1, b = 2 }).WaitAsync(Cluster.Patience);
        _browser.Open(Base + "/");
        _browser.WaitUntil(d => d.FindElements(By.CssSelector("#nodes tr.node")).Count == 2, "both nodes listed");
        var names = _browser.Driver.FindElements(By.CssSelector("#nodes tr.node td.name")).Select(e => e.Text).Order().ToList();
        Assert.That(names, Is.EqualTo(new[] { "dash_a", "dash_b" }));

        _browser.Script("window.reactorTestMarker = 42;");
        var before = long.Parse(_browser.Find(By.CssSelector("#card-succeeded .value")).Text.Replace(",", "", StringComparison.Ordinal),
            System.Globalization.CultureInfo.InvariantCulture);
        for (var i = 0; i < 5; i++)
        {
            await _cluster.Distributor.EnqueueAsync("add", new { a = i, b = 1 }).WaitAsync(Cluster.Patience);
        }
        _browser.WaitUntil(d => d.FindElement(By.CssSelector("#card-succeeded .value")).Text != before.ToString("N0", System.Globalization.CultureInfo.InvariantCulture),
            "the succeeded count to change without a reload");
        Assert.That(_browser.Script("return window.reactorTestMarker;"), Is.EqualTo(42), "the page was not reloaded");
        _browser.WaitUntil(d => d.FindElements(By.CssSelector("svg.chart polyline.jobs")).Count == 1, "the throughput chart to draw");
        _browser.Screenshot("overview");
        Assert.That(_browser.ConsoleErrors(), Is.Empty);
    }

    [Test]
    public async Task Failed_job_shows_its_error_and_retry_from_the_browser_runs_it_again()
    {
        var file = Path.Combine(Path.GetTempPath(), $"reactor-dash-{Guid.NewGuid():N}");
        var failed = await _cluster.Distributor.EnqueueAsync("fail_until_file", new { file }, new EnqueueOptions { MaxAttempt = 1 })
            .WaitAsync(Cluster.Patience);
        Assert.That(failed.Outcome, Is.EqualTo(JobOutcome.Failed));
        await WaitForRecordAsync(failed.JobId, JobStatus.Failed);

        _browser.Open(Base + "/jobs?status=failed");
        _browser.WaitUntil(d => d.FindElements(By.LinkText(failed.JobId)).Count == 1, "the failed job in the list");
        _browser.Find(By.LinkText(failed.JobId)).Click();
        _browser.WaitUntil(d => d.FindElement(By.Id("job-status")).GetAttribute("data-status") == "failed", "the job page");
        var error = _browser.Find(By.Id("job-error")).Text;
        Assert.That(error, Does.Contain("FileNotFoundException").And.Contain("waiting for " + file));
        Assert.That(_browser.Find(By.CssSelector("pre.json")).Text, Does.Contain(file));
        _browser.Screenshot("failed-job");

        await File.WriteAllTextAsync(file, "now it may run");
        try
        {
            _browser.Find(By.XPath("//button[text()='Retry']")).Click();
            _browser.WaitUntil(d => new Uri(d.Url).AbsolutePath is var path && path.StartsWith("/reactor/jobs/", StringComparison.Ordinal)
                && path != "/reactor/jobs/" + failed.JobId, "the redirect to the new job");
            Assert.That(_browser.Find(By.Id("flash")).Text, Does.Contain("enqueued again"));
            _browser.WaitUntil(d => d.FindElements(By.Id("job-status")).Count == 1
                && d.FindElement(By.Id("job-status")).GetAttribute("data-status") == "succeeded", "the retried job to succeed");
            _browser.Screenshot("retried-job");
        }
        finally
        {
            File.Delete(file);
        }
        Assert.That(await _store.LoadAsync(failed.JobId), Is.Null, "the failed record was replaced by the new run");
        Assert.That(_browser.ConsoleErrors(), Is.Empty);
    }

    [Test]
    public async Task Periodic_job_is_cancelled_from_the_browser()
    {
        var id = _cluster.Distributor.Enqueue("noop", null, new EnqueueOptions { Period = TimeSpan.FromHours(1), After = TimeSpan.FromHours(1) });
        await WaitForRecordAsync(id, JobStatus.Queued);

        _browser.Open(Base + "/jobs?status=scheduled");
        _browser.WaitUntil(d => d.FindElements(By.LinkText(id)).Count == 1, "the periodic job among the scheduled");
        _browser.Find(By.LinkText(id)).Click();
        _browser.WaitUntil(d => d.FindElement(By.Id("job-status")).GetAttribute("data-status") == "scheduled", "the job page");
        Assert.That(_browser.Find(By.CssSelector("dl.facts")).Text, Does.Contain("Period").And.Contain("1 h"));
        _browser.Find(By.XPath("//button[text()='Cancel']")).Click();
        _browser.Driver.SwitchTo().Alert().Accept();
        _browser.WaitUntil(d => d.FindElements(By.Id("job-status")).Count == 1
            && d.FindElement(By.Id("job-status")).GetAttribute("data-status") == "cancelled", "the job to be cancelled");
        _browser.Screenshot("cancelled-periodic");
        Assert.That(_browser.ConsoleErrors(), Is.Empty);
    }

    [Test]
    public async Task Markup_in_names_args_and_errors_shows_as_text()
    {
        const string script = "<script>alert(1)</script><img src=x onerror=alert(2)>";
        var args = new Dictionary<string, object?>
        {
            ["message"] = script,
            ["<script>alert(3)</script>"] = "<b>bold?</b>",
            ["big"] = new string('x', 200_000),
        };
        var failed = await _cluster.Distributor.EnqueueAsync("fail_with", args, new EnqueueOptions { MaxAttempt = 1 }).WaitAsync(Cluster.Patience);
        var unknown = await _cluster.Distributor.EnqueueAsync("<script>alert(4)</script>").WaitAsync(Cluster.Patience);
        Assert.That((failed.Outcome, unknown.Outcome), Is.EqualTo((JobOutcome.Failed, JobOutcome.Failed)));
        await WaitForRecordAsync(failed.JobId, JobStatus.Failed);

        foreach (var page in new[] { "/", "/jobs?status=failed", "/jobs?status=recent", $"/jobs/{failed.JobId}", $"/jobs/{unknown.JobId}" })
        {
            _browser.Open(Base + page);
            _browser.WaitUntil(d => d.FindElements(By.Id("live")).Count == 1, page);
            Assert.That(() => _browser.Driver.SwitchTo().Alert(), Throws.InstanceOf<NoAlertPresentException>(), page);
            Assert.That(_browser.Script("return document.scripts.length;"), Is.EqualTo(1L), $"{page}: only the dashboard's own script");
            Assert.That(_browser.Script("return document.querySelectorAll('img, b:not(.status):not(.exception-type)').length;"),
                Is.EqualTo(_browser.Script("return document.querySelectorAll('.statuses b, .tabs b').length;")), $"{page}: no injected elements");
        }
        _browser.Open(Base + $"/jobs/{failed.JobId}");
        Assert.That(_browser.Find(By.Id("job-error")).Text, Does.Contain(script));
        Assert.That(_browser.Find(By.CssSelector("pre.json")).Text, Does.Contain("\"<script>alert(3)</script>\": \"<b>bold?</b>\""));
        Assert.That(_browser.Driver.FindElements(By.XPath("//summary[starts-with(text(), 'Show all')]")), Has.Count.EqualTo(2),
            "the 200 000-character arg is cut, with the whole text behind a disclosure (args as enqueued, and as the node left them)");
        _browser.Screenshot("markup-as-text");
        _browser.Open(Base + "/jobs?status=failed");
        Assert.That(_browser.Find(By.TagName("main")).Text, Does.Contain("more characters"), "the list cuts long args");
        Assert.That(_browser.ConsoleErrors(), Is.Empty);
    }

    private async Task WaitForRecordAsync(string id, JobStatus status)
    {
        var deadline = DateTime.UtcNow + Cluster.Patience;
        while ((await _store.LoadAsync(id))?.Status != status)
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"job {id}'s record never reached {status}");
            await Task.Delay(50);
        }
    }
}
