using NUnit.Framework;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;

namespace Reactor.Tests.Integration.Dashboard;

/// <summary>
/// Debian's headless chromium driven through its chromedriver (both from apt; test.sh installs them).
/// Nothing is downloaded: the driver and browser paths are given, so Selenium Manager is not used.
/// </summary>
internal sealed class Browser : IDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private Browser(ChromeDriver driver) => Driver = driver;

    public ChromeDriver Driver { get; }

    public static Browser Start(int width = 1280, int height = 900)
    {
        var chromium = Find("REACTOR_TEST_CHROMIUM", "/usr/bin/chromium", "/usr/bin/chromium-browser");
        var chromedriver = Find("REACTOR_TEST_CHROMEDRIVER", "/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver");
        var options = new ChromeOptions { BinaryLocation = chromium };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", $"--window-size={width},{height}");
        options.SetLoggingPreference(LogType.Browser, LogLevel.All);
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(chromedriver)!, Path.GetFileName(chromedriver));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        return new Browser(new ChromeDriver(service, options, Patience));
    }

    private static string Find(string variable, params string[] candidates)
    {
        if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } configured)
        {
            return configured;
        }
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException($"none of {string.Join(", ", candidates)} exists: install chromium and chromium-driver (test.sh does) or set {variable}");
    }

    public void Open(string url) => Driver.Navigate().GoToUrl(url);

    public IWebElement Find(By by) => Driver.FindElement(by);

    public void WaitUntil(Func<IWebDriver, bool> condition, string what)
    {
        var wait = new WebDriverWait(Driver, Patience) { Message = what };
        wait.IgnoreExceptionTypes(typeof(NoSuchElementException), typeof(StaleElementReferenceException));
        try
        {
            wait.Until(condition);
        }
        catch (WebDriverTimeoutException e)
        {
            var text = Driver.FindElement(By.TagName("body")).Text;
            throw new WebDriverTimeoutException($"{e.Message}; at {Driver.Url} the page says:\n{text[..Math.Min(text.Length, 2000)]}", e);
        }
    }

    public object? Script(string script, params object[] args) => Driver.ExecuteScript(script, args);

    /// <summary>Saves a screenshot under the test's output and attaches it to the result.</summary>
    public string Screenshot(string name)
    {
        var directory = Path.Combine(TestContext.CurrentContext.WorkDirectory, "screenshots");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, name + ".png");
        Driver.GetScreenshot().SaveAsFile(path);
        TestContext.AddTestAttachment(path);
        return path;
    }

    /// <summary>Console errors the page logged (failed loads, script errors, CSP violations).</summary>
    public IReadOnlyList<string> ConsoleErrors() =>
        [.. Driver.Manage().Logs.GetLog(LogType.Browser).Where(e => e.Level >= LogLevel.Severe).Select(e => e.Message)];

    public void Dispose()
    {
        Driver.Quit();
        Driver.Dispose();
    }
}
