using System.Collections.Concurrent;
using NUnit.Framework;
using Reactor.Tests.Integration.Services;
using Reactor.Workflows;

namespace Reactor.Tests.Integration.Workflows;

/// <summary>End-to-end workflows: real distributor and node over TCP, real Redis and RabbitMQ.</summary>
[TestFixture]
[CancelAfter(180_000)]
public sealed class WorkflowEngineTests
{
    private const string Book = "It was the best of times\nit was the worst of times\n\nIt was the age of wisdom\n\nit was the age of foolishness and so on";

    private static async Task<Action<WorkflowOptions>> ServicesAsync()
    {
        var redis = await TestServices.RedisAsync();
        var rabbit = await TestServices.RabbitMqAsync();
        return o =>
        {
            o.Redis = redis;
            o.RabbitMq = rabbit;
        };
    }

    [Test]
    public async Task The_word_count_example_runs_end_to_end_with_redis_and_rabbitmq()
    {
        await using var rig = await WorkflowRig.StartAsync(WordCountJobs.Yaml, WordCountJobs.Define, await ServicesAsync());

        var result = await rig.Engine.RunWorkflowAsync("book-word-counts", new { text = Book, title = "A Tale" }).WaitAsync(WorkflowRig.Patience);

        var expected = Book.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
        Assert.That(result.Status, Is.EqualTo(WorkflowStatus.Finished), result.Error);
        Assert.That((long)result.Output["total"]!, Is.EqualTo(expected));
        Assert.That(result.Output["stored_title"]!.ToString(), Is.EqualTo("A TALE"));
        Assert.That(result.Output["section-counts"]!.AsArray(), Has.Count.EqualTo(3));
        var history = await rig.Engine.HistoryAsync(result.Id);
        Assert.That(history.Where(h => h.Type == WorkflowEventTypes.PhaseStarted).Select(h => h.Step),
            Is.EquivalentTo(new[] { "book-split", "store-title", "section-counts", "sum-splits" }));
        var started = history.ToDictionary(h => h.Type + h.Step, h => h.At);
        Assert.That(started["workflow.phase.started" + "sum-splits"], Is.GreaterThanOrEqualTo(started["workflow.phase.finished" + "section-counts"]));
    }

    private const string TwoHandlers = """
        {"name": "two-handlers", "phases": [
          {"name": "pending", "is_initial": true, "transitions_to": "counting"},
          {"name": "counting", "transitions_to": "finished", "handlers": ["slow-handler", {"name": "fast-handler", "version": "2"}]},
          {"name": "finished", "is_final": true}
        ]}
        """;

    [Test]
    public async Task A_phase_with_two_handlers_finishes_only_after_both_and_a_phase_without_handlers_finishes_at_once()
    {
        var slowMayFinish = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var rig = await WorkflowRig.StartAsync(TwoHandlers, jobs =>
        {
            jobs.Job("slow-handler", async a =>
            {
                await slowMayFinish.Task;
                a["slow"] = "done";
            });
            jobs.Job("fast-handler", a => a["fast"] = "v" + a["handler_version"]);
        }, await ServicesAsync(), "two.json");

        var run = rig.Engine.RunWorkflowAsync("two-handlers");
        // The fast handler's task is counted while the slow one is still held: the phase must not finish yet.
        string? early = null;
        await WaitUntilAsync(() =>
        {
            lock (rig.Events)
            {
                early = rig.Events.FirstOrDefault(e => e.Type == WorkflowEventTypes.TaskFinished)?.WorkflowId;
            }
            return early is not null;
        });
        Assert.That(await rig.Engine.HistoryAsync(early!), Has.None.Matches<WorkflowTransition>(h => h.Type == WorkflowEventTypes.PhaseFinished && h.Step == "counting"),
            "the phase finished while one of its handlers was still running");
        slowMayFinish.TrySetResult();
        var result = await run.WaitAsync(WorkflowRig.Patience);

        Assert.That(result.Status, Is.EqualTo(WorkflowStatus.Finished), result.Error);
        Assert.That(result.Output["slow"]!.ToString(), Is.EqualTo("done"));
        Assert.That(result.Output["fast"]!.ToString(), Is.EqualTo("v2"));
        var events = rig.EventsOf(result.Id);
        var phaseFinished = events.FindIndex(e => e.Type == WorkflowEventTypes.PhaseFinished && e.Step == "counting");
        var tasksDone = events.Select((e, i) => (e, i)).Where(x => x.e.Type == WorkflowEventTypes.TaskFinished).Select(x => x.i).ToList();
        Assert.That(tasksDone, Has.Count.EqualTo(2));
        Assert.That(phaseFinished, Is.GreaterThan(tasksDone.Max()));
        Assert.That(events.Count(e => e.Type == WorkflowEventTypes.PhaseFinished), Is.EqualTo(3), "pending and finished have no tasks and still finish");
        Assert.That(events.Last().Type, Is.EqualTo(WorkflowEventTypes.Finished));
    }

    private const string Failing = """
        {"name": "failing", "phases": [
          {"name": "pending", "is_initial": true, "transitions_to": "working", "on_error_transition_to": "error"},
          {"name": "working", "transitions_to": "finished", "on_error_transition_to": "error", "handlers": ["always-fails"]},
          {"name": "error", "is_final": true, "handlers": ["error-emailer"]},
          {"name": "finished", "is_final": true, "handlers": ["never-runs"]}
        ]}
        """;

    [Test]
    public async Task A_handler_failing_after_its_retries_takes_the_error_transition()
    {
        var attempts = 0;
        var neverRan = 0;
        await using var rig = await WorkflowRig.StartAsync(Failing, jobs =>
        {
            jobs.Job("always-fails", _ =>
            {
                Interlocked.Increment(ref attempts);
                throw new InvalidOperationException("disk on fire");
            });
            jobs.Job("error-emailer", a => a["emailed"] = $"{a["workflow_id"]}: {WordCountJobs.Payload(a)["error"]}");
            // Counted, not asserted here: an assertion in job code runs on the node's thread and would only fail that job.
            jobs.Job("never-runs", _ => Interlocked.Increment(ref neverRan));
        }, await ServicesAsync(), "failing.json");

        var result = await rig.Engine.RunWorkflowAsync("failing").WaitAsync(WorkflowRig.Patience);

        Assert.That(result.Status, Is.EqualTo(WorkflowStatus.Finished));
        Assert.That(result.Error, Does.Contain("disk on fire"));
        Assert.That(result.Output["emailed"]!.ToString(), Does.Contain("disk on fire"));
        Assert.That(attempts, Is.EqualTo(2), "MaxAttempt = 2");
        var history = await rig.Engine.HistoryAsync(result.Id);
        Assert.That(history.Select(h => $"{h.Type}:{h.Step}"), Does.Contain("workflow.phase.failed:working").And.Contain("workflow.phase.started:error"));
        Assert.That(history.Any(h => h.Step == "finished"), Is.False);
        Assert.That(neverRan, Is.Zero, "the success phase must not run");
    }

    [Test]
    public async Task A_failure_without_an_error_transition_fails_the_workflow()
    {
        const string yaml = "workflows:\n  - name: boom\n    steps:\n      - name: explode\n      - name: after\n        depends: [explode]\n";
        var afterRan = 0;
        await using var rig = await WorkflowRig.StartAsync(yaml, jobs =>
        {
            jobs.Job("explode", _ => throw new ArgumentException("bad input"));
            jobs.Job("after", _ => Interlocked.Increment(ref afterRan));
        });

        var result = await rig.Engine.RunWorkflowAsync("boom").WaitAsync(WorkflowRig.Patience);

        Assert.That(result.Status, Is.EqualTo(WorkflowStatus.Failed));
        Assert.That(result.Error, Does.Contain("bad input"));
        Assert.That(rig.EventsOf(result.Id).Last().Type, Is.EqualTo(WorkflowEventTypes.Failed));
        Assert.That(afterRan, Is.Zero, "a step depending on a failed one must not run");
        var history = await rig.Engine.HistoryAsync(result.Id);
        Assert.That(history.Any(h => h.Step == "after"), Is.False);
    }

    [Test]
    public async Task Tasks_a_handler_returns_fan_out_and_an_empty_fan_out_finishes_at_once()
    {
        const string json = """
            {"name": "enumerate", "phases": [
              {"name": "listing", "is_initial": true, "transitions_to": "done", "handlers": ["lister"]},
              {"name": "done", "is_final": true}
            ]}
            """;
        var ran = new ConcurrentBag<long>();
        await using var rig = await WorkflowRig.StartAsync(json, jobs => jobs.Job("lister", a =>
        {
            if (a.TryGetValue("item", out var item))
            {
                ran.Add(Convert.ToInt64(item, System.Globalization.CultureInfo.InvariantCulture));
                a["square"] = Convert.ToInt64(item, System.Globalization.CultureInfo.InvariantCulture) * Convert.ToInt64(item, System.Globalization.CultureInfo.InvariantCulture);
            }
            else
            {
                a["tasks"] = new List<object?> { 1, 2, 3 };
            }
        }), fileName: "enumerate.json");

        var result = await rig.Engine.RunWorkflowAsync("enumerate").WaitAsync(WorkflowRig.Patience);

        Assert.That(result.Status, Is.EqualTo(WorkflowStatus.Finished), result.Error);
        Assert.That(ran.Order(), Is.EqualTo(new long[] { 1, 2, 3 }));
        Assert.That(result.Output["listing"]!.AsArray().Select(o => (long)o!["square"]!), Is.EqualTo(new long[] { 1, 4, 9 }));

        await using var wc = await WorkflowRig.StartAsync(WordCountJobs.Yaml, WordCountJobs.Define);
        var empty = await wc.Engine.RunWorkflowAsync("book-word-counts", new { text = "", title = "t" }).WaitAsync(WorkflowRig.Patience);
        Assert.That(empty.Status, Is.EqualTo(WorkflowStatus.Finished), empty.Error);
        Assert.That((long)empty.Output["total"]!, Is.Zero);
    }

    [Test]
    public async Task Pause_cancels_running_tasks_and_resume_runs_them_again()
    {
        const string yaml = "workflows:\n  - name: gated\n    steps:\n      - name: wait-gate\n";
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var runs = 0;
        await using var rig = await WorkflowRig.StartAsync(yaml, jobs => jobs.Job("wait-gate", async a =>
        {
            Interlocked.Increment(ref runs);
            await gate.Task;
            a["opened"] = true;
        }));

        var id = await rig.Engine.StartWorkflowAsync("gated");
        await WaitUntilAsync(() => Volatile.Read(ref runs) == 1);
        Assert.That(await rig.Engine.PauseAsync(id), Is.True);
        Assert.That(await rig.Engine.StatusAsync(id), Is.EqualTo(WorkflowStatus.Paused));
        gate.TrySetResult();
        Assert.That(await rig.Engine.ResumeAsync(id), Is.True);
        var result = await rig.Engine.WaitForWorkflowAsync(id).WaitAsync(WorkflowRig.Patience);

        Assert.That(result.Status, Is.EqualTo(WorkflowStatus.Finished));
        Assert.That(runs, Is.EqualTo(2), "the task in flight when paused ran again on resume");
        Assert.That(rig.EventsOf(id, WorkflowEventTypes.TaskFinished), Has.Count.EqualTo(1));
    }

    internal static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + WorkflowRig.Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("condition not met in time");
            }
            await Task.Delay(20);
        }
    }
}
