using System.Diagnostics;
using NUnit.Framework;
using Reactor.Protocol.Diagnostics;
using Reactor.Tests.Integration.Support;

namespace Reactor.Tests.Integration.Tracing;

/// <summary>
/// A task published from job code joins the trace of the job that published it: the Publish frame carries
/// the running job's span, the task's producer span is its child, and the task runs under that producer.
/// </summary>
[TestFixture]
[CancelAfter(120_000)]
public sealed class ForkJoinTraceTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Test]
    public async Task Task_published_by_a_job_is_traced_as_a_child_of_the_publishing_attempt()
    {
        using var spans = new CapturedSpans();
        await using var cluster = await Cluster.StartAsync();
        await cluster.Host.StartNodeAsync(new NodeOptions
        {
            Name = "traced_flow",
            LogJobProcessing = false,
            Jobs = j =>
            {
                j.Job("parent", args => args.PublishNext("child", new { n = 1 }));
                j.Job("child", _ => { });
            },
        });
        await cluster.WaitForNodesAsync(1);

        var parentId = cluster.Distributor.Enqueue("parent");

        var parentRun = (await spans.WaitForAsync(CapturedSpans.ForJob(parentId, ActivityKind.Consumer), 1, Patience)).Single();
        var childPublish = (await spans.WaitForAsync(
            a => a.Kind == ActivityKind.Producer && Equals(a.GetTagItem(ReactorTracing.ParentJobId), parentId), 1, Patience)).Single();
        var childId = (string)childPublish.GetTagItem(ReactorTracing.JobId)!;
        var childRun = (await spans.WaitForAsync(CapturedSpans.ForJob(childId, ActivityKind.Consumer), 1, Patience)).Single();
        Assert.Multiple(() =>
        {
            Assert.That(childPublish.DisplayName, Is.EqualTo("publish child"));
            Assert.That(childPublish.TraceId, Is.EqualTo(parentRun.TraceId), "the task is in the parent's trace");
            Assert.That(childPublish.ParentSpanId, Is.EqualTo(parentRun.SpanId), "published from the parent's attempt");
            Assert.That(childRun.TraceId, Is.EqualTo(parentRun.TraceId));
            Assert.That(childRun.ParentSpanId, Is.EqualTo(childPublish.SpanId));
        });
    }
}
