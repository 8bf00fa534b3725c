using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;
using Reactor.Node.Jobs;

namespace Reactor.Tests.Unit.Jobs;

public class JobsDirectoryLoaderTests
{
    private TempJobsDirectory _jobs = null!;

    [SetUp]
    public void CreateJobsDirectory() => _jobs = new TempJobsDirectory();

    [TearDown]
    public void DeleteJobsDirectory() => _jobs.Dispose();

    [Test]
    public async Task Jobs_and_callbacks_spread_over_files_and_folders_run_in_definition_order()
    {
        _jobs.Write("a.csx", """
            Job("greet", args => args["trace"] = "greet");
            JobCallback("later", "from_a", args => args["trace"] += ">a");
            """);
        _jobs.Write("b.csx", """
            Job("later", async args =>
            {
                await Task.Delay(10);
                args["trace"] = "later";
            });
            JobCallback("greet", "from_b", async args =>
            {
                await Task.Yield();
                args["trace"] += ">b";
            });
            """);
        _jobs.Write("sub/c.csx", """
            JobCallback("greet", "from_sub", args => args["trace"] += ">sub");
            JobCallback("later", "from_sub", args => args["trace"] += ">sub");
            """);

        var catalog = JobsDirectoryLoader.Load(_jobs.Root, NullLogger.Instance);

        Assert.That(catalog.Names, Is.EquivalentTo(new[] { "greet", "later" }));
        Assert.That(await Trace("greet", catalog), Is.EqualTo("greet>b>sub"));
        Assert.That(await Trace("later", catalog), Is.EqualTo("later>a>sub"));
    }

    [Test]
    public async Task Errbacks_from_several_files_see_the_error_in_definition_order()
    {
        _jobs.Write("jobs.csx", """
            Job("risky", args => throw new InvalidOperationException("boom"));
            JobErrback("risky", "alert", args => args["alerted"] = "alert:" + args["error"]);
            """);
        _jobs.Write("more/errbacks.csx", """
            JobErrback("risky", "after_alert", async args =>
            {
                await Task.Yield();
                args["after"] = args.ContainsKey("alerted");
            });
            """);
        var catalog = JobsDirectoryLoader.Load(_jobs.Root, NullLogger.Instance);
        Assert.That(catalog.TryGet("risky", out var job), Is.True);
        var args = new JobArgs();

        var error = Assert.ThrowsAsync<InvalidOperationException>(async () => await job!.Body!.Run(JobPipeline.Context(args)));
        await JobPipeline.FailAsync(job!, args, error);

        Assert.That(args["alerted"], Is.EqualTo("alert:boom"));
        Assert.That(args["after"], Is.EqualTo(true));
    }

    [Test]
    public async Task The_documented_script_forms_bind_to_the_right_overloads()
    {
        _jobs.Write("readme.csx", """
            Job("my_job", args => Console.WriteLine(args["arg1"]));
            Job("slow", async args => { await Task.Delay(10); args["done"] = true; });
            JobCallback("my_job", "log", args => args["logged"] = true);
            JobErrback("my_job", "alert", args => Console.Error.WriteLine(args["error"]));
            JobCallback("slow", "check", args => args["done_before_callback"] = args.ContainsKey("done"));
            """);
        var catalog = JobsDirectoryLoader.Load(_jobs.Root, NullLogger.Instance);
        Assert.That(catalog.TryGet("my_job", out var myJob), Is.True);
        Assert.That(catalog.TryGet("slow", out var slow), Is.True);

        var myArgs = new JobArgs { ["arg1"] = "Hello" };
        await JobPipeline.SucceedAsync(myJob!, myArgs);
        var slowArgs = new JobArgs();
        await JobPipeline.SucceedAsync(slow!, slowArgs);

        Assert.That(myArgs["logged"], Is.EqualTo(true));
        Assert.That(slowArgs["done_before_callback"], Is.EqualTo(true));
    }

    [Test]
    public void A_script_that_does_not_compile_is_refused_with_file_line_and_error_code()
    {
        const string brokenLine = """Job("bad", args => { args["x"] = undefinedThing; });""";
        var path = _jobs.Write("broken.csx", "Job(\"ok\", args => { });\n" + brokenLine + "\n");
        var column = brokenLine.IndexOf("undefinedThing", StringComparison.Ordinal) + 1;

        var error = Assert.Throws<JobDefinitionException>(() => JobsDirectoryLoader.Load(_jobs.Root, NullLogger.Instance));

        Assert.That(error.Message, Does.StartWith($"jobs file '{path}' does not compile:"));
        Assert.That(error.Message, Does.Contain($"{path}(2,{column}): error CS0103: The name 'undefinedThing' does not exist"));
    }

    [Test]
    public void A_script_whose_top_level_code_throws_is_refused_naming_the_file_line_and_exception()
    {
        var path = _jobs.Write("throws.csx", """
            Job("fine", args => { });
            throw new InvalidOperationException("missing setting");
            """);

        var error = Assert.Throws<JobDefinitionException>(() => JobsDirectoryLoader.Load(_jobs.Root, NullLogger.Instance));

        Assert.That(error.Message, Is.EqualTo($"jobs file '{path}' threw InvalidOperationException at line 2: missing setting"));
        Assert.That(error.InnerException, Is.InstanceOf<InvalidOperationException>());
    }

    [Test]
    public void A_callback_for_a_job_never_defined_is_refused_naming_the_job_and_the_file()
    {
        _jobs.Write("jobs.csx", """Job("send_mail", args => { });""");
        var path = _jobs.Write("callbacks.csx", """JobCallback("send_mial", "log", args => { });""");

        var error = Assert.Throws<JobDefinitionException>(() => JobsDirectoryLoader.Load(_jobs.Root, NullLogger.Instance));

        Assert.That(error.Message, Is.EqualTo($"job 'send_mial' is never defined, but {path} declares callback 'log' for it"));
    }

    [Test]
    public void A_job_defined_in_two_files_is_refused_naming_both()
    {
        var first = _jobs.Write("a.csx", """Job("twice", args => { });""");
        var second = _jobs.Write("sub/b.csx", """Job("twice", args => { });""");

        var error = Assert.Throws<JobDefinitionException>(() => JobsDirectoryLoader.Load(_jobs.Root, NullLogger.Instance));

        Assert.That(error.Message, Is.EqualTo($"job 'twice' is defined twice: in {first} and in {second}"));
    }

    [Test]
    public void A_missing_directory_is_refused()
    {
        var missing = Path.Combine(_jobs.Root, "nope");

        var error = Assert.Throws<JobDefinitionException>(() => JobsDirectoryLoader.Load(missing, NullLogger.Instance));

        Assert.That(error.Message, Is.EqualTo($"jobs directory '{missing}' does not exist"));
    }

    [Test]
    public void A_directory_without_jobs_is_refused()
    {
        _jobs.Write("README.md", "no jobs here");

        var error = Assert.Throws<JobDefinitionException>(() => JobsDirectoryLoader.Load(_jobs.Root, NullLogger.Instance));

        Assert.That(error.Message, Is.EqualTo($"jobs directory '{_jobs.Root}' defines no jobs"));
    }

    [Test]
    public async Task The_test_jobs_module_registers_its_jobs_and_add_runs_its_callbacks()
    {
        _jobs.Copy(TestJobsModule);

        var catalog = JobsDirectoryLoader.Load(_jobs.Root, NullLogger.Instance);

        Assert.That(catalog.Names, Is.SupersetOf(new[]
        {
            "noop", "echo", "add", "fail", "async_add", "thread", "sleep", "node_name",
        }));
        Assert.That(catalog.TryGet("add", out var add), Is.True);
        Assert.That(add!.Source, Does.EndWith("Reactor.TestJobs.dll (Reactor.TestJobs.CoreJobs)"));
        var args = new JobArgs { ["a"] = (byte)2, ["b"] = 3 };
        await JobPipeline.SucceedAsync(add, args);
        Assert.That(args["sum"], Is.EqualTo(5L));
        Assert.That(args["doubled"], Is.EqualTo(10L));
        Assert.That(args["marked"], Is.EqualTo(true));
    }

    [Test]
    public async Task The_test_jobs_module_fail_job_runs_its_errback()
    {
        _jobs.Copy(TestJobsModule);
        var catalog = JobsDirectoryLoader.Load(_jobs.Root, NullLogger.Instance);
        Assert.That(catalog.TryGet("fail", out var fail), Is.True);
        var args = new JobArgs();

        var error = Assert.ThrowsAsync<InvalidOperationException>(async () => await fail!.Body!.Run(JobPipeline.Context(args)));
        await JobPipeline.FailAsync(fail!, args, error);

        Assert.That(error.Message, Is.EqualTo("boom"));
        Assert.That(args["noted"], Is.EqualTo(true));
    }

    [Test]
    public void Copies_of_host_assemblies_and_native_dlls_are_skipped_without_error()
    {
        _jobs.Copy(typeof(JobArgs).Assembly.Location, "lib/Reactor.Protocol.dll");
        _jobs.Copy(typeof(JobCatalog).Assembly.Location, "lib/Reactor.Node.dll");
        _jobs.Write("lib/native.dll", "MZ but not really a PE image");
        _jobs.Write("jobs.csx", """Job("only", args => { });""");
        var logger = new CollectingLogger();

        var catalog = JobsDirectoryLoader.Load(_jobs.Root, logger);

        Assert.That(catalog.Names, Is.EqualTo(new[] { "only" }));
        Assert.That(logger.Entries.Select(e => e.Id.Name), Is.SupersetOf(new[] { "JobsDllHostAssemblySkipped", "JobsDllNotAnAssembly" }));
    }

    [Test]
    public void Load_logs_how_many_jobs_came_from_how_many_files()
    {
        _jobs.Write("one.csx", """Job("a", args => { }); Job("b", args => { });""");
        _jobs.Write("two.csx", """Job("c", args => { });""");
        var logger = new CollectingLogger();

        JobsDirectoryLoader.Load(_jobs.Root, logger);

        var summary = logger.Entries.Single(e => e.Id.Name == "JobsLoaded");
        Assert.That(summary.Level, Is.EqualTo(LogLevel.Information));
        Assert.That(summary.Message, Is.EqualTo($"Loaded 3 jobs from 2 files in {_jobs.Root}"));
        Assert.That(logger.Entries.Count(e => e.Id.Name == "JobScriptCompiled"), Is.EqualTo(2));
    }

    private static string TestJobsModule =>
        Path.Combine(TestContext.CurrentContext.TestDirectory, "TestJobs", "Reactor.TestJobs.dll");

    private static async Task<object?> Trace(string name, JobCatalog catalog)
    {
        Assert.That(catalog.TryGet(name, out var job), Is.True, name);
        var args = new JobArgs();
        await JobPipeline.SucceedAsync(job!, args);
        return args["trace"];
    }
}
