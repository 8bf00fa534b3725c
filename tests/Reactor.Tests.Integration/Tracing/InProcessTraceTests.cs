using System.Diagnostics;
using NUnit.Framework;
using Reactor.Protocol.Diagnostics;
using Reactor.Tests.Integration.Support;

namespace Reactor.Tests.Integration.Tracing;

/// <summary>
/// Distributor and node in this process over loopback TCP, with a listener on the Reactor source: the
/// spans each side records, their parentage (carried by the Dispatch frame, not by the shared process)
/// and their tags.
/// </summary>
[TestFixture]
[CancelAfter(120_000)]
public sealed class InProcessTraceTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly ActivitySource CallerSource = new("Reactor.Tests.Caller");

    private static void DefineJobs(IJobRegistry jobs)
    {
        jobs.Job("add", a => a["sum"] = a.Get<long>("a") + a.Get<long>("b"));
        jobs.JobCallback("add", "double", a => a["doubled"] = a.Get<long>("sum") * 2);
        jobs.Job("fail", _ => throw new InvalidOperationException("boom"));
        jobs.JobErrback("fail", "note", a => a["noted"] = true);
    }

    private static async Task<ReactorHost> StartAsync()
    {
        var host = new ReactorHost(TestLogging.Factory);
        await host.StartDistributorAsync("127.0.0.1", 0);
        await host.StartNodeAsync(new NodeOptions
        {
            Name = "traced",
            Jobs = DefineJobs,
            LogJobProcessing = false,
            RetryMultiplier = TimeSpan.FromMilliseconds(10),
        });
        await host.Distributor.WaitForNodesAsync(1).WaitAsync(Patience);
        return host;
    }

    [Test]
    public async Task Enqueue_is_a_producer_span_and_the_run_a_consumer_span_that_is_its_child_with_callbacks_below()
    {
        using var spans = new CapturedSpans();
        await using var host = await StartAsync();

        var result = await host.Distributor.EnqueueAsync("add", new { a = 2, b = 3 }).WaitAsync(Patience);

        var producer = (await spans.WaitForAsync(CapturedSpans.ForJob(result.JobId, ActivityKind.Producer), 1, Patience)).Single();
        var consumer = (await spans.WaitForAsync(CapturedSpans.ForJob(result.JobId, ActivityKind.Consumer), 1, Patience)).Single();
        var callback = (await spans.WaitForAsync(a => a.ParentSpanId == consumer.SpanId, 1, Patience)).Single();
        Assert.Multiple(() =>
        {
            Assert.That(producer.DisplayName, Is.EqualTo("publish add"));
            Assert.That(producer.GetTagItem(ReactorTracing.MessagingSystem), Is.EqualTo("reactor"));
            Assert.That(producer.GetTagItem(ReactorTracing.MessagingOperationType), Is.EqualTo("send"));
            Assert.That(producer.GetTagItem(ReactorTracing.JobName), Is.EqualTo("add"));
            Assert.That(producer.Status, Is.EqualTo(ActivityStatusCode.Unset));

            Assert.That(consumer.DisplayName, Is.EqualTo("process add"));
            Assert.That(consumer.TraceId, Is.EqualTo(producer.TraceId));
            Assert.That(consumer.ParentSpanId, Is.EqualTo(producer.SpanId));
            Assert.That(consumer.HasRemoteParent, Is.True, "the parent came from the Dispatch frame");
            Assert.That(consumer.GetTagItem(ReactorTracing.MessagingOperationType), Is.EqualTo("process"));
            Assert.That(consumer.GetTagItem(ReactorTracing.JobAttempt), Is.EqualTo(1));
            Assert.That(consumer.GetTagItem(ReactorTracing.JobOutcome), Is.EqualTo("success"));
            Assert.That(consumer.GetTagItem(ReactorTracing.NodeName), Is.EqualTo("traced"));

            Assert.That(callback.DisplayName, Is.EqualTo("callback double"));
            Assert.That(callback.TraceId, Is.EqualTo(producer.TraceId));
        });
    }

    [Test]
    public async Task Each_attempt_is_its_own_consumer_span_with_its_number_and_the_exception_recorded()
    {
        using var spans = new CapturedSpans();
        await using var host = await StartAsync();

        var result = await host.Distributor.EnqueueAsync("fail", null, new EnqueueOptions { MaxAttempt = 2 }).WaitAsync(Patience);

        Assert.That(result.Outcome, Is.EqualTo(JobOutcome.Failed));
        var producer = (await spans.WaitForAsync(CapturedSpans.ForJob(result.JobId, ActivityKind.Producer), 1, Patience)).Single();
        var attempts = await spans.WaitForAsync(CapturedSpans.ForJob(result.JobId, ActivityKind.Consumer), 2, Patience);
        var errbacks = await spans.WaitForAsync(a => a.DisplayName == "errback note" && a.TraceId == producer.TraceId, 2, Patience);
        Assert.Multiple(() =>
        {
            Assert.That(attempts.Select(a => a.GetTagItem(ReactorTracing.JobAttempt)), Is.EqualTo(new object[] { 1, 2 }));
            Assert.That(attempts.Select(a => a.GetTagItem(ReactorTracing.JobOutcome)), Is.EqualTo(new object[] { "retry", "error" }));
            Assert.That(attempts.Select(a => a.ParentSpanId), Is.All.EqualTo(producer.SpanId), "retries hang under the enqueue span");
            Assert.That(attempts.Select(a => a.Status), Is.All.EqualTo(ActivityStatusCode.Error));
            foreach (var attempt in attempts)
            {
                var exception = attempt.Events.Single(e => e.Name == "exception");
                Assert.That(exception.Tags.Single(t => t.Key == "exception.type").Value, Is.EqualTo(typeof(InvalidOperationException).FullName));
                Assert.That(exception.Tags.Single(t => t.Key == "exception.message").Value, Is.EqualTo("boom"));
            }
            Assert.That(attempts[0].Events.Select(e => e.Name), Does.Contain("retry scheduled"));
            Assert.That(errbacks.Select(e => e.ParentSpanId), Is.EquivalentTo(attempts.Select(a => a.SpanId)), "one errback span under each attempt");
        });
    }

    [Test]
    public async Task Enqueue_inside_the_callers_activity_is_its_child()
    {
        using var spans = new CapturedSpans();
        using var callerListener = new ActivityListener
        {
            ShouldListenTo = source => source == CallerSource,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(callerListener);
        await using var host = await StartAsync();
        string jobId;
        ActivityContext caller;

        using (var request = CallerSource.StartActivity("handle request")!)
        {
            caller = request.Context;
            jobId = host.Distributor.Enqueue("add", new { a = 1, b = 1 });
        }

        var producer = (await spans.WaitForAsync(CapturedSpans.ForJob(jobId, ActivityKind.Producer), 1, Patience)).Single();
        var consumer = (await spans.WaitForAsync(CapturedSpans.ForJob(jobId, ActivityKind.Consumer), 1, Patience)).Single();
        Assert.That(producer.TraceId, Is.EqualTo(caller.TraceId));
        Assert.That(producer.ParentSpanId, Is.EqualTo(caller.SpanId));
        Assert.That(consumer.ParentSpanId, Is.EqualTo(producer.SpanId));
    }

    [Test]
    public async Task Enqueue_refused_for_its_args_ends_its_span_with_the_error()
    {
        using var spans = new CapturedSpans();
        await using var host = await StartAsync();

        Assert.Throws<ArgumentException>(() => host.Distributor.Enqueue("add", new { bad = new object() }));

        var producer = (await spans.WaitForAsync(a => a.DisplayName == "publish add" && a.Status == ActivityStatusCode.Error, 1, Patience)).Single();
        Assert.That(producer.Events.Select(e => e.Name), Does.Contain("exception"));
    }
}
