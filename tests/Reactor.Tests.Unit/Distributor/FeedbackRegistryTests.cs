using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;
using Reactor.Distributor.Feedback;
using Reactor.Protocol.Messages;

namespace Reactor.Tests.Unit.Distributor;

[TestFixture]
[CancelAfter(10_000)]
public sealed class FeedbackRegistryTests
{
    private static Result Final(string id, JobOutcome outcome = JobOutcome.Succeeded, string? error = null) =>
        new(id, outcome, new JobArgs { ["n"] = 1 }, error, true, 1);

    [Test]
    public async Task A_job_that_ran_twice_calls_its_feedback_once()
    {
        await using var registry = new FeedbackRegistry(NullLogger.Instance);
        var calls = 0;
        var completion = new TaskCompletionSource<JobResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        registry.Register("j", new JobFeedback("job", _ => Interlocked.Increment(ref calls), null, completion));

        Assert.That(registry.Deliver(Final("j")), Is.True);
        Assert.That(registry.Deliver(Final("j")), Is.False, "the second final result is not news");
        await completion.Task;
        await registry.DisposeAsync(); // drains the delivery loop

        Assert.That(calls, Is.EqualTo(1));
        Assert.That(registry.Count, Is.Zero);
    }

    [Test]
    public async Task Periodic_runs_keep_the_entry_until_the_final_result()
    {
        await using var registry = new FeedbackRegistry(NullLogger.Instance);
        var calls = 0;
        registry.Register("p", new JobFeedback("job", _ => Interlocked.Increment(ref calls), null, null));

        registry.Deliver(Final("p") with { Final = false });
        registry.Deliver(Final("p") with { Final = false });
        Assert.That(registry.Count, Is.EqualTo(1));
        registry.Deliver(Final("p"));
        await registry.DisposeAsync();

        Assert.That(calls, Is.EqualTo(3));
        Assert.That(registry.Count, Is.Zero);
    }

    // outcome, Error field, args["error"], reason on the wire, cancelled lambda given → lambda that runs,
    // JobResult.Error (= args["error"] as the app sees them), JobResult.Reason.
    private static IEnumerable<TestCaseData> Mappings()
    {
        TestCaseData Case(string name, JobOutcome outcome, string? error, string? argsError, JobOutcomeReason reason, bool withCancelled,
            string lambda, string? text, JobOutcomeReason seen) =>
            new TestCaseData(outcome, error, argsError, reason, withCancelled, lambda, text, seen).SetName(name);

        yield return Case("success", JobOutcome.Succeeded, null, null, JobOutcomeReason.Completed, true, "success", null, JobOutcomeReason.Completed);
        yield return Case("success from a v1 node", JobOutcome.Succeeded, null, null, JobOutcomeReason.Unspecified, true, "success", null, JobOutcomeReason.Completed);
        yield return Case("failure", JobOutcome.Failed, "X: boom", "X: boom", JobOutcomeReason.Threw, true, "error", "X: boom", JobOutcomeReason.Threw);
        yield return Case("failure without any text is still a failure", JobOutcome.Failed, null, null, JobOutcomeReason.Unspecified, true,
            "error", OutcomeMapping.MissingFailureText, JobOutcomeReason.Unspecified);
        yield return Case("the field wins over the args", JobOutcome.Failed, "field", "args", JobOutcomeReason.Threw, true, "error", "field", JobOutcomeReason.Threw);
        yield return Case("a v1 node that set only the args", JobOutcome.Failed, null, "args", JobOutcomeReason.Unspecified, true,
            "error", "args", JobOutcomeReason.Unspecified);
        yield return Case("cancelled by the job", JobOutcome.Cancelled, "cancelled by the job: enough", "cancelled by the job: enough",
            JobOutcomeReason.CancelledByJob, true, "cancelled", "cancelled by the job: enough", JobOutcomeReason.CancelledByJob);
        yield return Case("cancelled by the job on a v1 node (no text)", JobOutcome.Cancelled, null, null, JobOutcomeReason.Unspecified, true,
            "cancelled", OutcomeMapping.CancelledByJobText, JobOutcomeReason.CancelledByJob);
        yield return Case("cancelled by the job without a cancelled lambda", JobOutcome.Cancelled, "cancelled by the job: enough", null,
            JobOutcomeReason.CancelledByJob, false, "error", "cancelled by the job: enough", JobOutcomeReason.CancelledByJob);
        yield return Case("cancelled by the app", JobOutcome.Cancelled, "cancelled by the application", "cancelled by the application",
            JobOutcomeReason.CancelledByApplication, true, "cancelled", "cancelled by the application", JobOutcomeReason.CancelledByApplication);
        yield return Case("cancelled from an errback", JobOutcome.Cancelled, "cancelled from an errback after X: boom", "x",
            JobOutcomeReason.CancelledByErrback, false, "error", "cancelled from an errback after X: boom", JobOutcomeReason.CancelledByErrback);
    }

    [TestCaseSource(nameof(Mappings))]
    public async Task One_outcome_decides_the_lambda_and_the_awaited_result_alike(JobOutcome outcome, string? error, string? argsError,
        JobOutcomeReason reason, bool withCancelled, string lambda, string? text, JobOutcomeReason seen)
    {
        await using var registry = new FeedbackRegistry(NullLogger.Instance);
        var ran = new List<(string Lambda, JobArgs Args)>();
        var completion = new TaskCompletionSource<JobResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        registry.Register("l", new JobFeedback("job", a => ran.Add(("success", a)), a => ran.Add(("error", a)), null)
        {
            Cancelled = withCancelled ? a => ran.Add(("cancelled", a)) : null,
        });
        registry.Register("a", new JobFeedback("job", null, null, completion));
        Result Make(string id)
        {
            var args = new JobArgs { ["n"] = 1 };
            if (argsError is not null)
            {
                args["error"] = argsError;
            }
            return new Result(id, outcome, args, error, true, 1) { Reason = reason };
        }

        registry.Deliver(Make("l"));
        registry.Deliver(Make("a"));
        var awaited = await completion.Task;
        await registry.DisposeAsync();

        Assert.That(ran.Select(r => r.Lambda), Is.EqualTo(new[] { lambda }), "exactly one lambda");
        Assert.That(awaited.Outcome, Is.EqualTo(outcome));
        Assert.That(awaited.Succeeded, Is.EqualTo(lambda == "success"));
        Assert.That(awaited.Error, Is.EqualTo(text));
        Assert.That(awaited.Reason, Is.EqualTo(seen));
        if (text is not null)
        {
            Assert.That(awaited.Args.Get<string>("error"), Is.EqualTo(text), "args[\"error\"] is a copy of the one text");
            Assert.That(ran[0].Args.Get<string>("error"), Is.EqualTo(text), "the lambda reads the same text");
        }
    }

    [Test]
    public async Task A_throwing_feedback_does_not_stop_later_ones()
    {
        await using var registry = new FeedbackRegistry(NullLogger.Instance);
        var later = false;
        registry.Register("bad", new JobFeedback("job", _ => throw new InvalidOperationException("app bug"), null, null));
        registry.Register("good", new JobFeedback("job", _ => later = true, null, null));

        registry.Deliver(Final("bad"));
        registry.Deliver(Final("good"));
        await registry.DisposeAsync();

        Assert.That(later, Is.True);
    }

    [Test]
    public async Task FailAll_completes_waiting_results_and_leaves_nothing_behind()
    {
        await using var registry = new FeedbackRegistry(NullLogger.Instance);
        var completion = new TaskCompletionSource<JobResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        registry.Register("x", new JobFeedback("job", null, null, completion));

        registry.FailAll("stopping");

        var result = await completion.Task;
        Assert.That(result.Outcome, Is.EqualTo(JobOutcome.Failed));
        Assert.That(result.Args.Get<string>("error"), Is.EqualTo("stopping"));
        Assert.That(result.Reason, Is.EqualTo(JobOutcomeReason.DistributorStopped));
        Assert.That(registry.Count, Is.Zero);
    }
}
