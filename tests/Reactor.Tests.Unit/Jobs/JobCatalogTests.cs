using NUnit.Framework;
using Reactor.Node.Jobs;

namespace Reactor.Tests.Unit.Jobs;

public class JobCatalogTests
{
    [Test]
    public async Task Callbacks_declared_before_their_job_run_after_it_in_declaration_order()
    {
        var catalog = new JobCatalog { Source = "a.csx" };
        catalog.JobCallback("greet", "first", args => args["trace"] += ">first");
        catalog.Source = "b.csx";
        catalog.Job("greet", args => args["trace"] = "job");
        catalog.JobCallback("greet", "second", args => args["trace"] += ">second");
        catalog.Validate();

        Assert.That(catalog.TryGet("greet", out var job), Is.True);
        var args = new JobArgs();
        await JobPipeline.SucceedAsync(job!, args);

        Assert.That(args["trace"], Is.EqualTo("job>first>second"));
        Assert.That(job!.Source, Is.EqualTo("b.csx"));
    }

    [Test]
    public async Task An_async_lambda_is_awaited_before_the_next_step()
    {
        var catalog = new JobCatalog();
        var globals = new JobScriptGlobals(catalog, "slow.csx");
        globals.Job("slow", async args =>
        {
            await Task.Delay(10);
            args["done"] = true;
        });
        globals.JobCallback("slow", "check", args => args["seen_done"] = args.ContainsKey("done"));

        Assert.That(catalog.TryGet("slow", out var job), Is.True);
        var args = new JobArgs();
        await JobPipeline.SucceedAsync(job!, args);

        Assert.That(args["seen_done"], Is.True);
    }

    [Test]
    public void Names_are_ordinal_and_list_only_defined_jobs()
    {
        var catalog = new JobCatalog();
        catalog.Job("add", _ => { });
        catalog.Job("Add", _ => { });
        catalog.JobCallback("pending", "cb", _ => { });

        Assert.That(catalog.Names, Is.EqualTo(new[] { "add", "Add" }));
        Assert.That(catalog.TryGet("pending", out _), Is.False);
        Assert.That(catalog.TryGet("ADD", out _), Is.False);
    }

    [Test]
    public void A_job_defined_twice_is_refused_naming_both_sources()
    {
        var catalog = new JobCatalog { Source = "one.csx" };
        catalog.Job("twice", _ => { });
        catalog.Source = "two.csx";

        var error = Assert.Throws<JobDefinitionException>(() => catalog.Job("twice", _ => { }));

        Assert.That(error.Message, Is.EqualTo("job 'twice' is defined twice: in one.csx and in two.csx"));
    }

    [Test]
    public void Validate_refuses_a_callback_for_a_job_never_defined()
    {
        var catalog = new JobCatalog { Source = "jobs.csx" };
        catalog.Job("real", _ => { });
        catalog.JobErrback("typo", "alert", _ => { });

        var error = Assert.Throws<JobDefinitionException>(catalog.Validate);

        Assert.That(error.Message, Is.EqualTo("job 'typo' is never defined, but jobs.csx declares errback 'alert' for it"));
    }

    [Test]
    public void Validate_refuses_a_catalog_without_jobs()
    {
        var error = Assert.Throws<JobDefinitionException>(new JobCatalog().Validate);

        Assert.That(error.Message, Is.EqualTo("no job is defined"));
    }

    [Test]
    public void A_validated_catalog_refuses_further_definitions()
    {
        var catalog = new JobCatalog();
        catalog.Job("only", _ => { });
        catalog.Validate();

        Assert.That(() => catalog.Job("late", _ => { }), Throws.InvalidOperationException);
        Assert.That(() => catalog.JobCallback("only", "late", _ => { }), Throws.InvalidOperationException);
    }

    [TestCase("", "a job name must not be empty")]
    [TestCase("   ", "a job name must not be empty")]
    [TestCase("bad\nname", @"job name 'bad\u000aname' contains a control character")]
    public void Invalid_job_names_are_refused(string name, string expected)
    {
        var catalog = new JobCatalog { Source = "names.csx" };

        var error = Assert.Throws<JobDefinitionException>(() => catalog.Job(name, _ => { }));

        Assert.That(error.Message, Is.EqualTo("names.csx: " + expected));
    }

    [Test]
    public void Names_up_to_200_characters_are_accepted_and_longer_ones_refused()
    {
        var catalog = new JobCatalog();
        catalog.Job(new string('j', JobCatalog.MaxNameLength), _ => { });

        var error = Assert.Throws<JobDefinitionException>(() => catalog.Job(new string('j', JobCatalog.MaxNameLength + 1), _ => { }));

        Assert.That(error.Message, Does.Contain("is 201 characters long; the limit is 200"));
    }

    [Test]
    public void Invalid_callback_names_are_refused()
    {
        var catalog = new JobCatalog { Source = "cb.csx" };

        var error = Assert.Throws<JobDefinitionException>(() => catalog.JobCallback("job", "", _ => { }));

        Assert.That(error.Message, Is.EqualTo("cb.csx: a callback name must not be empty"));
    }
}
