using System.Diagnostics;
using NUnit.Framework;
using Reactor.Protocol.Diagnostics;
using Reactor.Tests.Integration.Support;

namespace Reactor.Tests.Integration.Tracing;

/// <summary>
/// The trace context crosses the process boundary: a real <c>reactor node</c> process runs the job in a
/// consumer span whose trace and parent are the distributor's producer span in this process.
/// </summary>
[TestFixture]
[CancelAfter(180_000)]
public sealed class CrossProcessTraceTests
{
    [Test]
    public async Task Job_in_a_node_process_runs_in_a_consumer_span_that_is_the_child_of_the_enqueue_span()
    {
        using var spans = new CapturedSpans();
        await using var cluster = await Cluster.StartAsync();
        cluster.StartNode("traced_node");
        await cluster.WaitForNodesAsync(1);
        // The node process gets a listener on its Reactor source (as an app with OpenTelemetry would).
        var listening = await cluster.Distributor.EnqueueAsync("trace_listen").WaitAsync(Cluster.Patience);
        Assert.That(listening.Succeeded, Is.True, listening.Error);

        var result = await cluster.Distributor.EnqueueAsync("trace_probe").WaitAsync(Cluster.Patience);

        Assert.That(result.Succeeded, Is.True, result.Error);
        var producer = (await spans.WaitForAsync(CapturedSpans.ForJob(result.JobId, ActivityKind.Producer), 1, Cluster.Patience)).Single();
        Assert.Multiple(() =>
        {
            Assert.That(result.Args.Get<string>("source"), Is.EqualTo(ReactorTracing.SourceName), "the job runs in a Reactor span");
            Assert.That(result.Args.Get<string>("kind"), Is.EqualTo(nameof(ActivityKind.Consumer)));
            Assert.That(result.Args.Get<string>("span_name"), Is.EqualTo("process trace_probe"));
            Assert.That(result.Args.Get<string>("trace_id"), Is.EqualTo(producer.TraceId.ToHexString()), "one trace across both processes");
            Assert.That(result.Args.Get<string>("parent_span_id"), Is.EqualTo(producer.SpanId.ToHexString()), "the enqueue span is the parent");
            Assert.That(producer.DisplayName, Is.EqualTo("publish trace_probe"));
        });
    }
}
