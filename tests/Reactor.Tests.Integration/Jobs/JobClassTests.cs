using NUnit.Framework;
using Reactor.Tests.Integration.Support;

namespace Reactor.Tests.Integration.Jobs;

/// <summary>Job classes with dependency injection and typed args, on a real <c>reactor node</c> process (issue 15).</summary>
[TestFixture]
[CancelAfter(300_000)]
public sealed class JobClassTests
{
    private static readonly TimeSpan Patience = Cluster.Patience;

    [Test]
    public async Task A_class_job_gets_its_services_from_one_scope_per_run_which_is_disposed_after_the_run()
    {
        await using var cluster = await Cluster.StartAsync();
        cluster.StartNode("di_node");
        await cluster.WaitForNodesAsync(1);

        var first = await cluster.Distributor.EnqueueAsync("class_scoped", new { who = "ada" }).WaitAsync(Patience);
        var second = await cluster.Distributor.EnqueueAsync("class_scoped", new { who = "bob" }).WaitAsync(Patience);
        // Runs after both: by then each run's scope has been disposed (the scope ends after the result is sent).
        var disposed = await WaitForDisposedAsync(cluster, first.Args.Get<string>("job_ledger"), second.Args.Get<string>("job_ledger"));

        Assert.That(first.Outcome, Is.EqualTo(JobOutcome.Succeeded), first.Error);
        Assert.That(first.Args["greeting"], Is.EqualTo("hello ada"), "the module's singleton was injected");
        Assert.That(first.Args["job_id_seen"], Is.EqualTo(first.JobId));
        Assert.That(first.Args["callback_ledger"], Is.EqualTo(first.Args["job_ledger"]), "the callback class shares the job's scope");
        Assert.That(second.Args["job_ledger"], Is.Not.EqualTo(first.Args["job_ledger"]), "each run has a scope of its own");
        Assert.That(disposed, Does.Contain(first.Args["job_ledger"]).And.Contain(second.Args["job_ledger"]));
    }

    [Test]
    public async Task An_errback_class_sees_the_error_and_the_jobs_scope()
    {
        await using var cluster = await Cluster.StartAsync();
        cluster.StartNode("di_errback");
        await cluster.WaitForNodesAsync(1);

        var result = await cluster.Distributor.EnqueueAsync("class_fails", null, new EnqueueOptions { MaxAttempt = 1 }).WaitAsync(Patience);

        Assert.That(result.Outcome, Is.EqualTo(JobOutcome.Failed));
        Assert.That(result.Args["noted_error"], Is.EqualTo("InvalidOperationException: class job failed"));
        Assert.That(result.Args["errback_ledger"], Is.Not.Null);
    }

    [Test]
    public async Task Typed_args_bind_from_the_enqueued_record_and_the_result_reads_back_typed()
    {
        await using var cluster = await Cluster.StartAsync();
        cluster.StartNode("typed_node");
        await cluster.WaitForNodesAsync(1);
        var invoice = new InvoiceArgs(Guid.NewGuid(), 12.5m, "ACME", Copies: 3);

        var result = await cluster.Distributor.EnqueueAsync("class_typed", invoice).WaitAsync(Patience);

        Assert.That(result.Outcome, Is.EqualTo(JobOutcome.Succeeded), result.Error);
        var sent = result.Args.As<InvoiceSent>();
        Assert.That(sent.Total, Is.EqualTo(37.5m));
        Assert.That(sent.Invoice, Is.EqualTo(invoice.InvoiceId));
        Assert.That(sent.SentTo, Is.EqualTo("ACME"));
        Assert.That(result.Args.As<InvoiceArgs>(), Is.EqualTo(invoice), "the args themselves round-trip as the record");
    }

    [Test]
    public async Task Typed_args_of_the_wrong_type_or_missing_fail_at_once_naming_the_property()
    {
        await using var cluster = await Cluster.StartAsync();
        cluster.StartNode("typed_bad");
        await cluster.WaitForNodesAsync(1);
        // Retries 30 s apart: an error within the wait below proves that bad args are not retried.
        var options = new EnqueueOptions { MaxAttempt = 3, RetryMultiplier = TimeSpan.FromSeconds(30) };
        var quick = TimeSpan.FromSeconds(20);

        var mistyped = await cluster.Distributor.EnqueueAsync("class_typed",
            new { InvoiceId = Guid.NewGuid(), Amount = "twelve", Customer = "ACME" }, options).WaitAsync(quick);
        var missing = await cluster.Distributor.EnqueueAsync("class_typed",
            new { InvoiceId = Guid.NewGuid(), Amount = 5 }, options).WaitAsync(quick);
        var badGuid = await cluster.Distributor.EnqueueAsync("class_typed",
            new { invoice_id = "not-a-guid", amount = 5, customer = "ACME" }, options).WaitAsync(quick);

        Assert.That(mistyped.Outcome, Is.EqualTo(JobOutcome.Failed));
        Assert.That(mistyped.Error, Does.Contain("JobArgsException").And.Contain("property 'Amount' holds string \"twelve\", which cannot be read as Decimal"));
        Assert.That(missing.Outcome, Is.EqualTo(JobOutcome.Failed));
        Assert.That(missing.Error, Does.Contain("required property 'Customer' (String) is missing"));
        Assert.That(badGuid.Error, Does.Contain("property 'InvoiceId' holds string \"not-a-guid\", which cannot be read as Guid"),
            "snake_case keys bind to PascalCase properties, and the error names the property");
    }

    [Test]
    public async Task A_class_whose_dependency_is_missing_or_whose_constructor_throws_fails_and_the_node_keeps_serving()
    {
        await using var cluster = await Cluster.StartAsync();
        cluster.StartNode("di_bad");
        await cluster.WaitForNodesAsync(1);
        var once = new EnqueueOptions { MaxAttempt = 1 };

        var missing = await cluster.Distributor.EnqueueAsync("class_missing_service", null, once).WaitAsync(Patience);
        var throwing = await cluster.Distributor.EnqueueAsync("class_ctor_throws", null, once).WaitAsync(Patience);
        var after = await cluster.Distributor.EnqueueAsync("add", new { a = 2, b = 3 }).WaitAsync(Patience);

        Assert.That(missing.Outcome, Is.EqualTo(JobOutcome.Failed));
        Assert.That(missing.Error, Does.Contain("IUnregisteredMailer"), "the error names the missing service");
        Assert.That(throwing.Outcome, Is.EqualTo(JobOutcome.Failed));
        Assert.That(throwing.Error, Does.Contain("the constructor refused to build"));
        Assert.That(after.Args.Get<long>("sum"), Is.EqualTo(5));
    }

    private static async Task<List<string>> WaitForDisposedAsync(Cluster cluster, params string[] ids)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var probe = await cluster.Distributor.EnqueueAsync("class_disposed").WaitAsync(Patience);
            var disposed = ((IEnumerable<object?>)probe.Args["disposed"]!).Select(o => (string)o!).ToList();
            if (ids.All(disposed.Contains) || DateTime.UtcNow > deadline)
            {
                return disposed;
            }
            await Task.Delay(50);
        }
    }

    private sealed record InvoiceSent(decimal Total, Guid Invoice, string SentTo);

    // The app's own copy of the job's args type (Reactor.TestJobs is never referenced by the tests).
    private sealed record InvoiceArgs(Guid InvoiceId, decimal Amount, string Customer, int Copies = 1);
}
