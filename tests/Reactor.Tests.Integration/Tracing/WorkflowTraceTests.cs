using System.Collections.Concurrent;
using System.Diagnostics;
using NUnit.Framework;
using Reactor.Protocol.Diagnostics;
using Reactor.Tests.Integration.Services;
using Reactor.Tests.Integration.Support;
using Reactor.Tests.Integration.Workflows;
using Reactor.Workflows;

namespace Reactor.Tests.Integration.Tracing;

/// <summary>
/// Workflow steps join the trace of the caller that started the workflow: the engine stores that
/// context with the workflow and enqueues every step's jobs under it, even the later steps it
/// enqueues from a job's feedback, where the caller's activity is long gone.
/// </summary>
[TestFixture]
[CancelAfter(120_000)]
public sealed class WorkflowTraceTests
{
    private const string Steps = """
        {"name": "traced-steps", "phases": [
          {"name": "pending", "is_initial": true, "transitions_to": "first"},
          {"name": "first", "transitions_to": "second", "handlers": ["trace-first"]},
          {"name": "second", "transitions_to": "finished", "handlers": ["trace-second-a", "trace-second-b"]},
          {"name": "finished", "is_final": true}
        ]}
        """;

    private static readonly string[] Handlers = ["trace-first", "trace-second-a", "trace-second-b"];

    /// <summary>The span each handler ran in, by workflow id: job code runs with its consumer span current.</summary>
    private readonly ConcurrentDictionary<string, ConcurrentBag<Activity>> _ran = new(StringComparer.Ordinal);

    private void DefineJobs(IJobRegistry jobs)
    {
        foreach (var handler in Handlers)
        {
            jobs.Job(handler, a =>
            {
                _ran.GetOrAdd(a["workflow_id"]!.ToString()!, _ => []).Add(Activity.Current!);
                a[handler.Replace('-', '_')] = true;
            });
        }
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task Every_step_job_runs_in_the_trace_of_the_caller_that_started_the_workflow(bool redis)
    {
        using var spans = new CapturedSpans();
        var address = redis ? await TestServices.RedisAsync() : null;
        await using var rig = await WorkflowRig.StartAsync(Steps, DefineJobs, o => o.Redis = address, "traced.json");

        // Two workflows, each under its own caller span, running at the same time: a step must not
        // pick up the other's trace (or the engine thread's) when the engine enqueues it later.
        var (runA, parentA) = Start(rig, "request A");
        var (runB, parentB) = Start(rig, "request B");
        var results = await Task.WhenAll(runA, runB).WaitAsync(WorkflowRig.Patience);

        Assert.That(results.Select(r => r.Status), Is.All.EqualTo(WorkflowStatus.Finished));
        foreach (var (result, parent) in new[] { (results[0], parentA), (results[1], parentB) })
        {
            var ran = _ran[result.Id].ToList();
            // First, so that without the carried context this fails on the trace ids, not on a missing span.
            Assert.That(ran.Select(a => a.TraceId), Is.All.EqualTo(parent.TraceId),
                $"every step's job of workflow {result.Id} is in the trace of the caller that started it");
            var starts = await spans.WaitForAsync(a => a.DisplayName == "workflow start traced-steps"
                && Equals(a.GetTagItem(ReactorTracing.WorkflowId), result.Id), 1, WorkflowRig.Patience);
            var steps = await spans.WaitForAsync(a => a.DisplayName.StartsWith("workflow step ", StringComparison.Ordinal)
                && Equals(a.GetTagItem(ReactorTracing.WorkflowId), result.Id), 3, WorkflowRig.Patience);
            Assert.Multiple(() =>
            {
                Assert.That(ran.Select(a => a.DisplayName), Is.EquivalentTo(Handlers.Select(h => "process " + h)));
                Assert.That(ran.Select(a => a.Kind), Is.All.EqualTo(ActivityKind.Consumer));

                var start = starts.Single();
                Assert.That(start.Kind, Is.EqualTo(ActivityKind.Producer));
                Assert.That(start.ParentSpanId, Is.EqualTo(parent.SpanId), "the workflow start span is the caller's child");
                Assert.That(steps.Select(s => s.ParentSpanId), Is.All.EqualTo(start.SpanId), "each step span hangs under the start span");
                Assert.That(steps.Select(s => s.GetTagItem(ReactorTracing.WorkflowStep)), Is.EquivalentTo(new[] { "first", "second", "second" }));
                Assert.That(steps.Select(s => s.Kind), Is.All.EqualTo(ActivityKind.Internal));
            });
        }
        Assert.That(parentA.TraceId, Is.Not.EqualTo(parentB.TraceId));
    }

    [Test]
    public async Task WorkflowTrace_without_a_caller_span_steps_still_share_one_trace()
    {
        using var spans = new CapturedSpans();
        await using var rig = await WorkflowRig.StartAsync(Steps, DefineJobs, fileName: "traced.json");

        Activity.Current = null;
        var result = await rig.Engine.RunWorkflowAsync("traced-steps").WaitAsync(WorkflowRig.Patience);

        var start = (await spans.WaitForAsync(a => Equals(a.GetTagItem(ReactorTracing.WorkflowId), result.Id)
            && a.DisplayName == "workflow start traced-steps", 1, WorkflowRig.Patience)).Single();
        Assert.That(start.ParentSpanId, Is.EqualTo(default(ActivitySpanId)), "no caller: the workflow starts a trace");
        Assert.That(_ran[result.Id], Has.Count.EqualTo(3));
        Assert.That(_ran[result.Id].Select(a => a.TraceId), Is.All.EqualTo(start.TraceId));
    }

    /// <summary>Starts the workflow under a caller span (not from the Reactor source: no listener needed) that ends right after.</summary>
    private static (Task<WorkflowResult> Run, ActivityContext Parent) Start(WorkflowRig rig, string caller)
    {
        var previous = Activity.Current;
        Activity.Current = null;
        using var request = new Activity(caller).SetIdFormat(ActivityIdFormat.W3C).Start();
        var run = rig.Engine.RunWorkflowAsync("traced-steps");
        var context = request.Context;
        request.Stop();
        Activity.Current = previous;
        return (run, context);
    }
}
