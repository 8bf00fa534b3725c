using NUnit.Framework;
using OpenQA.Selenium;
using Reactor.Tests.Integration.Services;
using Reactor.Tests.Integration.Workflows;
using Reactor.Workflows;

namespace Reactor.Tests.Integration.Dashboard;

/// <summary>
/// The workflow pages in a real headless Chromium: a real engine with a Redis workflow store runs a
/// fork/join workflow on an in-process distributor and node (loopback TCP), and the dashboard
/// (<c>MapReactorDashboard</c> on Kestrel) reads the same store. One engine, site and browser serve
/// every test of the fixture.
/// </summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(180_000)]
public sealed class WorkflowDashboardBrowserTests
{
    private const string Yaml = """
        workflows:
          - name: release
            steps:
              - name: build
              - name: unit-tests
                depends: [ build ]
              - name: browser-tests
                depends: [ build ]
              - name: publish
                depends: [ unit-tests, browser-tests ]
          - name: shouting
            steps:
              - name: shout
        """;

    private const string Markup = "<script>alert(3)</script><b>bold?</b>";

    private WorkflowRig _rig = null!;
    private string _redis = "";
    private string _prefix = "";
    private DashboardSite _site = null!;
    private Browser _browser = null!;
    private TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _gateRuns;
    private int _gateCancels;

    private string Base => _site.Root + "/reactor";

    [OneTimeSetUp]
    public async Task Start()
    {
        var redis = _redis = await TestServices.RedisAsync();
        var prefix = _prefix = $"test:wf:{Guid.NewGuid():N}:";
        _rig = await WorkflowRig.StartAsync(Yaml, jobs =>
        {
            jobs.Job("build", a => a["built"] = true);
            jobs.Job("unit-tests", a => a["unit"] = "green");
            jobs.Job("browser-tests", async (a, ct) =>
            {
                Interlocked.Increment(ref _gateRuns);
                try
                {
                    await Volatile.Read(ref _gate).Task.WaitAsync(ct);
                }
                catch (OperationCanceledException)
                {
                    Interlocked.Increment(ref _gateCancels);
                    throw;
                }
                a["browser"] = "green";
            });
            jobs.Job("publish", a => a["published"] = true);
            jobs.Job("shout", _ => throw new InvalidOperationException(Markup));
        }, o =>
        {
            o.Redis = redis;
            o.RedisKeyPrefix = prefix;
            o.SweepInterval = TimeSpan.FromMilliseconds(200);
            o.LeaseTtl = TimeSpan.FromSeconds(2);
            o.TaskOptions = new EnqueueOptions { MaxAttempt = 1 };
        });
        _site = await DashboardSite.StartAsync(o =>
        {
            o.Distributor = () => _rig.Host.Distributor;
            o.Redis = redis;
            o.WorkflowKeyPrefix = prefix;
            o.LiveInterval = TimeSpan.FromMilliseconds(500);
        });
        _browser = Browser.Start();
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _browser?.Dispose();
        if (_site is not null)
        {
            await _site.DisposeAsync();
        }
        if (_rig is not null)
        {
            await _rig.DisposeAsync();
        }
    }

    [Test]
    public async Task Workflow_page_draws_the_fork_join_graph_with_step_states_and_pause_and_resume_from_the_browser_finish_it()
    {
        _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var runsBefore = Volatile.Read(ref _gateRuns);
        var cancelsBefore = Volatile.Read(ref _gateCancels);
        var id = await _rig.Engine.StartWorkflowAsync("release");
        await WorkflowEngineTests.WaitUntilAsync(() => Volatile.Read(ref _gateRuns) == runsBefore + 1);

        _browser.Open(Base + "/workflows");
        _browser.WaitUntil(d => d.FindElements(By.LinkText(id)).Count == 1, "the workflow in the list");
        Assert.That(_browser.Find(By.XPath($"//tr[td/a[text()='{id}']]")).GetAttribute("data-status"), Is.EqualTo("running"));
        _browser.Find(By.LinkText(id)).Click();
        _browser.WaitUntil(d => StepState(d, "unit-tests") == "finished" && StepState(d, "browser-tests") == "running", "the graph with live step states");
        Assert.That(_browser.Driver.FindElements(By.CssSelector("svg#workflow-graph g.step")), Has.Count.EqualTo(4));
        Assert.That(StepState(_browser.Driver, "build"), Is.EqualTo("finished"));
        Assert.That(StepState(_browser.Driver, "publish"), Is.EqualTo("waiting"));
        Assert.That(_browser.Driver.FindElements(By.CssSelector("svg#workflow-graph path.edge")), Has.Count.EqualTo(4), "build forks to two steps that join in publish");
        Assert.That(_browser.Find(By.CssSelector("svg#workflow-graph g.step[data-step='publish'] text.state")).Text, Is.EqualTo("join"));
        Assert.That(_browser.Find(By.CssSelector("#steps tr[data-step='browser-tests']")).Text, Does.Contain("build"));
        Assert.That(_browser.Find(By.Id("history")).Text, Does.Contain(WorkflowEventTypes.PhaseStarted));
        _browser.Screenshot("workflow-running");

        _browser.Find(By.XPath("//button[text()='Pause']")).Click();
        _browser.WaitUntil(d => d.FindElement(By.Id("workflow-status")).GetAttribute("data-status") == "paused", "paused");
        Assert.That(_browser.Find(By.Id("flash")).Text, Does.Contain("Paused"));
        await WorkflowEngineTests.WaitUntilAsync(() => Volatile.Read(ref _gateCancels) == cancelsBefore + 1);
        _gate.TrySetResult();
        _browser.Find(By.XPath("//button[text()='Resume']")).Click();
        _browser.WaitUntil(d => d.FindElement(By.Id("workflow-status")).GetAttribute("data-status") == "finished", "finished after the resume, live");
        Assert.That(StepState(_browser.Driver, "publish"), Is.EqualTo("finished"));
        Assert.That(_browser.Find(By.Id("history")).Text, Does.Contain(WorkflowEventTypes.Paused).And.Contain(WorkflowEventTypes.Resumed));
        Assert.That(_browser.Driver.FindElements(By.XPath("//button[text()='Pause' or text()='Resume' or text()='Cancel']")), Is.Empty,
            "no actions on an ended workflow");
        Assert.That(Volatile.Read(ref _gateRuns), Is.EqualTo(runsBefore + 2), "the job let go of on pause ran again after the resume");
        _browser.Screenshot("workflow");
        Assert.That(_browser.ConsoleErrors(), Is.Empty);
    }

    [Test]
    public async Task Cancel_from_the_browser_asks_first_and_ends_the_workflow()
    {
        _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var id = await _rig.Engine.StartWorkflowAsync("release");
        var ended = _rig.Engine.WaitForWorkflowAsync(id);

        _browser.Open(Base + $"/workflows/{id}");
        _browser.WaitUntil(d => StepState(d, "browser-tests") == "running", "the gated step running");
        _browser.Find(By.XPath("//button[text()='Cancel']")).Click();
        _browser.Driver.SwitchTo().Alert().Accept();
        _browser.WaitUntil(d => d.FindElement(By.Id("workflow-status")).GetAttribute("data-status") == "cancelled", "cancelled");

        var result = await ended.WaitAsync(WorkflowRig.Patience);
        Assert.That(result.Status, Is.EqualTo(WorkflowStatus.Cancelled));
        Assert.That(StepState(_browser.Driver, "publish"), Is.EqualTo("waiting"));
        _browser.Open(Base + "/workflows?view=active");
        _browser.WaitUntil(d => d.FindElements(By.Id("workflows")).Count + d.FindElements(By.Id("no-workflows")).Count == 1, "the active list");
        Assert.That(_browser.Driver.FindElements(By.LinkText(id)), Is.Empty, "a cancelled workflow is not active");
        _gate.TrySetResult();
    }

    [Test]
    public async Task Markup_in_workflow_and_step_names_payloads_and_errors_shows_as_text_and_unknown_ids_are_404()
    {
        var failed = await _rig.Engine.RunWorkflowAsync("shouting", new Dictionary<string, object?> { [Markup] = Markup }).WaitAsync(WorkflowRig.Patience);
        Assert.That(failed.Status, Is.EqualTo(WorkflowStatus.Failed));
        // Definitions only allow plain names, but the page shows whatever the store holds: write one by hand.
        var forged = "forged-" + Guid.NewGuid().ToString("N")[..8];
        const string step = "<img src=x onerror=alert(2)>";
        await using (var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(_redis))
        {
            var db = redis.GetDatabase();
            await db.HashSetAsync($"{_prefix}{{{forged}}}",
            [
                new("name", "<script>alert(1)</script>"), new("status", "failed"), new("payload", "{}"), new("created_at", 0),
                new("steps", $"[\"{step}\"]"), new("step:" + step, "failed"), new("error", Markup),
                new("graph", $"[{{\"name\":\"{step}\",\"depends\":[\"<svg onload=alert(4)>\"],\"handlers\":[\"{step}\"],\"on_error\":\"</svg><script>alert(5)</script>\"}}]"),
            ]);
            await db.SortedSetAddAsync($"{_prefix}index", forged, 0);
        }

        foreach (var page in new[] { "/workflows", $"/workflows/{failed.Id}", $"/workflows/{forged}" })
        {
            _browser.Open(Base + page);
            _browser.WaitUntil(d => d.FindElements(By.Id("live")).Count == 1, page);
            Assert.That(() => _browser.Driver.SwitchTo().Alert(), Throws.InstanceOf<NoAlertPresentException>(), page);
            Assert.That(_browser.Script("return document.scripts.length;"), Is.EqualTo(1L), $"{page}: only the dashboard's own script");
            Assert.That(_browser.Script("return document.querySelectorAll('img, main b:not(.status), main svg svg').length;"), Is.EqualTo(0L),
                $"{page}: no injected elements");
        }
        Assert.That(_browser.Find(By.TagName("h1")).Text, Does.Contain("<script>alert(1)</script>"));
        Assert.That(_browser.Find(By.Id("workflow-error")).Text, Does.Contain(Markup));
        Assert.That(_browser.Find(By.CssSelector("svg#workflow-graph g.step")).GetAttribute("data-step"), Is.EqualTo(step));
        Assert.That(StepState(_browser.Driver, step), Is.EqualTo("failed"));
        _browser.Screenshot("workflow-markup-as-text");
        _browser.Open(Base + $"/workflows/{failed.Id}");
        _browser.WaitUntil(d => StepState(d, "shout") == "failed", "the failed step");
        Assert.That(_browser.Find(By.Id("workflow-error")).Text, Does.Contain(Markup));
        Assert.That(_browser.Find(By.CssSelector("pre.json")).Text, Does.Contain(Markup));

        using var http = new HttpClient();
        var missing = await http.GetAsync(Base + "/workflows/no-such-workflow");
        Assert.That((int)missing.StatusCode, Is.EqualTo(404));
        Assert.That(await missing.Content.ReadAsStringAsync(), Does.Contain("No workflow with this id is known"));
        Assert.That(_browser.ConsoleErrors(), Is.Empty);
    }

    private static string? StepState(IWebDriver driver, string step) =>
        driver.FindElements(By.CssSelector("svg#workflow-graph g.step")).FirstOrDefault(e => e.GetAttribute("data-step") == step)?.GetAttribute("data-status");
}
