using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;
using Reactor.Distribution.Feedback;
using Reactor.Protocol.Messages;

namespace Reactor.Tests.Unit.Distributor;

[TestFixture]
[CancelAfter(10_000)]
public sealed class FeedbackRegistryTests
{
    private static Result Final(string id, JobOutcomeCode outcome = JobOutcomeCode.Success, string? error = null) =>
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

    [Test]
    public async Task Cancelled_by_job_code_goes_to_success_and_cancelled_with_a_reason_goes_to_error()
    {
        await using var registry = new FeedbackRegistry(NullLogger.Instance);
        var seen = new List<string>();
        registry.Register("a", new JobFeedback("job", _ => seen.Add("a:success"), _ => seen.Add("a:error"), null));
        registry.Register("b", new JobFeedback("job", _ => seen.Add("b:success"), _ => seen.Add("b:error"), null));

        registry.Deliver(Final("a", JobOutcomeCode.Cancelled));
        registry.Deliver(Final("b", JobOutcomeCode.Cancelled, "cancelled from an errback"));
        await registry.DisposeAsync();

        Assert.That(seen, Is.EqualTo(new[] { "a:success", "b:error" }));
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
        Assert.That(registry.Count, Is.Zero);
    }
}
