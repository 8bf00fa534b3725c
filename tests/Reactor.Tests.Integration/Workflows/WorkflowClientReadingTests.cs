using NUnit.Framework;
using Reactor.Tests.Integration.Services;
using Reactor.Workflows;

namespace Reactor.Tests.Integration.Workflows;

/// <summary>
/// <see cref="WorkflowClient"/>'s listing, details and control against a real Redis store driven by a
/// real engine (in-process distributor and node over loopback TCP).
/// </summary>
[TestFixture]
[CancelAfter(180_000)]
public sealed class WorkflowClientReadingTests
{
    [Test]
    public async Task List_and_details_show_the_graph_step_states_task_counts_and_history()
    {
        var redis = await TestServices.RedisAsync();
        var prefix = $"test:wf:{Guid.NewGuid():N}:";
        await using var rig = await WorkflowRig.StartAsync(WordCountJobs.Yaml, WordCountJobs.Define, o =>
        {
            o.Redis = redis;
            o.RedisKeyPrefix = prefix;
        });
        await using var client = await WorkflowClient.ConnectAsync(redis, prefix);

        var first = await rig.Engine.RunWorkflowAsync("book-word-counts", new { text = "a b\n\nc", title = "t" }).WaitAsync(WorkflowRig.Patience);
        var second = await rig.Engine.RunWorkflowAsync("book-word-counts", new { text = "d", title = "u" }).WaitAsync(WorkflowRig.Patience);
        var all = await client.ListAsync(0, 10);
        var secondPage = await client.ListAsync(1, 1);
        var active = await client.ListAsync(activeOnly: true);
        var details = await client.GetDetailsAsync(first.Id);

        Assert.That(all.Total, Is.EqualTo(2));
        Assert.That(all.Items.Select(w => w.Id), Is.EqualTo(new[] { second.Id, first.Id }), "newest first");
        Assert.That(all.Items.Select(w => w.Status), Is.All.EqualTo(WorkflowStatus.Finished));
        Assert.That(secondPage.Items.Select(w => w.Id), Is.EqualTo(new[] { first.Id }));
        Assert.That(active.Items, Is.Empty);
        Assert.That(details, Is.Not.Null);
        Assert.That(details!.Steps.Select(s => s.Name), Is.EqualTo(new[] { "book-split", "section-counts", "sum-splits", "store-title" }));
        var counts = details.Steps.Single(s => s.Name == "section-counts");
        Assert.That(counts.Depends, Is.EqualTo(new[] { "book-split" }));
        Assert.That(counts.FanOutItems, Is.EqualTo("sections"));
        Assert.That(counts.Handlers, Is.EqualTo(new[] { "segment-word-counts" }));
        Assert.That((counts.Status, counts.Tasks, counts.Finished, counts.Pending), Is.EqualTo((WorkflowStepStatus.Finished, 2, 2, 0)));
        Assert.That(details.Steps.Single(s => s.Name == "sum-splits").Depends, Is.EqualTo(new[] { "section-counts" }));
        Assert.That(details.Tasks.Where(t => t.Step == "section-counts").Select(t => t.Target), Is.All.EqualTo("segment-word-counts"));
        Assert.That(details.TaskCount, Is.EqualTo(details.Tasks.Count));
        Assert.That(details.History.Select(h => h.Type), Does.Contain(WorkflowEventTypes.Created).And.Contain(WorkflowEventTypes.Finished));
        Assert.That(details.Payload, Does.Contain("\"title\":\"t\""));
        Assert.That(await client.GetDetailsAsync("no-such-workflow"), Is.Null);
    }

    [Test]
    public async Task Pause_resume_and_cancel_from_the_client_reach_the_engine_that_runs_the_workflow()
    {
        const string yaml = "workflows:\n  - name: gated\n    steps:\n      - name: wait-gate\n";
        var redis = await TestServices.RedisAsync();
        var prefix = $"test:wf:{Guid.NewGuid():N}:";
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int runs = 0, cancelled = 0;
        await using var rig = await WorkflowRig.StartAsync(yaml, jobs => jobs.Job("wait-gate", async (a, ct) =>
        {
            Interlocked.Increment(ref runs);
            try
            {
                await gate.Task.WaitAsync(ct);
            }
            catch (OperationCanceledException)
            {
                Interlocked.Increment(ref cancelled);
                throw;
            }
            a["opened"] = true;
        }), o =>
        {
            o.Redis = redis;
            o.RedisKeyPrefix = prefix;
            o.SweepInterval = TimeSpan.FromMilliseconds(200);
            o.LeaseTtl = TimeSpan.FromSeconds(2);
        });
        await using var client = await WorkflowClient.ConnectAsync(redis, prefix);

        var id = await rig.Engine.StartWorkflowAsync("gated");
        await WorkflowEngineTests.WaitUntilAsync(() => Volatile.Read(ref runs) == 1);
        Assert.That(await client.PauseAsync(id), Is.True);
        Assert.That(await client.PauseAsync(id), Is.False, "already paused");
        await WorkflowEngineTests.WaitUntilAsync(() => Volatile.Read(ref cancelled) == 1);
        Assert.That(await rig.Engine.StatusAsync(id), Is.EqualTo(WorkflowStatus.Paused));
        gate.TrySetResult();
        Assert.That(await client.ResumeAsync(id), Is.True);
        var result = await rig.Engine.WaitForWorkflowAsync(id).WaitAsync(WorkflowRig.Patience);

        Assert.That(result.Status, Is.EqualTo(WorkflowStatus.Finished), result.Error);
        Assert.That(runs, Is.EqualTo(2), "the job the engine let go of on pause ran again after the resume");
        var history = (await client.HistoryAsync(id)).Select(h => h.Type).ToList();
        Assert.That(history, Does.Contain(WorkflowEventTypes.Paused).And.Contain(WorkflowEventTypes.Resumed));
        await WorkflowEngineTests.WaitUntilAsync(() => rig.EventsOf(id, WorkflowEventTypes.Paused).Count == 1);

        var gate2 = await rig.Engine.StartWorkflowAsync("gated");
        gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Assert.That(await client.CancelAsync(gate2), Is.True);
        Assert.That(await client.CancelAsync(gate2), Is.False, "already cancelled");
        var ended = await rig.Engine.WaitForWorkflowAsync(gate2).WaitAsync(WorkflowRig.Patience);
        Assert.That(ended.Status, Is.EqualTo(WorkflowStatus.Cancelled));
        Assert.That((await client.ListAsync(activeOnly: true)).Items, Is.Empty);
        Assert.That((await client.GetDetailsAsync(gate2))!.Workflow.Status, Is.EqualTo(WorkflowStatus.Cancelled));
    }
}
