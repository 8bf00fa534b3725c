using NUnit.Framework;
using Reactor.Workflows;
using Reactor.Workflows.Store;

namespace Reactor.Tests.Integration.Workflows;

/// <summary>What every <see cref="IWorkflowStore"/> must do; run against memory and Redis.</summary>
public abstract class WorkflowStoreContract
{
    private protected IWorkflowStore Store { get; private set; } = null!;

    private protected string Id { get; private set; } = "";

    private protected abstract Task<IWorkflowStore> CreateStoreAsync();

    /// <summary>Moves the store's notion of time forward (expiry), or checks the TTL where time is real.</summary>
    private protected abstract Task AssertExpiresAsync(string id, TimeSpan retention);

    [SetUp]
    public async Task CreateWorkflow()
    {
        Store = await CreateStoreAsync();
        Id = Guid.NewGuid().ToString("N");
        var record = new WorkflowRecord(Id, "wf", WorkflowStatus.Running, "{\"a\":1}", DateTimeOffset.UnixEpoch, "e1", null,
            new Dictionary<string, StepState>(), new Dictionary<string, string>());
        Assert.That(await Store.CreateAsync(record, ["s1", "s2"], Out("created")), Is.True);
    }

    [TearDown]
    public async Task DisposeStore() => await Store.DisposeAsync();

    private static Outgoing Out(string what) => new("e1", [what], ["outbox:" + what]);

    private static Outgoing None => new("e1", [], []);

    private static TaskSpec Task(string id) => new(id, TaskSpec.StepOf(id), TaskSpec.JobKind, "job", null, null, 0, "merge", 0);

    [Test]
    public async Task Creating_the_same_id_twice_fails_and_the_record_round_trips()
    {
        var again = new WorkflowRecord(Id, "other", WorkflowStatus.Running, "{}", DateTimeOffset.UnixEpoch, null, null,
            new Dictionary<string, StepState>(), new Dictionary<string, string>());

        Assert.That(await Store.CreateAsync(again, [], None), Is.False);
        var loaded = await Store.LoadAsync(Id);
        Assert.That(loaded!.Name, Is.EqualTo("wf"));
        Assert.That(loaded.Payload, Is.EqualTo("{\"a\":1}"));
        Assert.That(loaded.Owner, Is.EqualTo("e1"));
        Assert.That(await Store.ActiveAsync(), Does.Contain(Id));
    }

    [Test]
    public async Task WorkflowTrace_the_starters_trace_context_round_trips_and_a_record_without_one_loads_with_none()
    {
        const string parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        var traced = new WorkflowRecord(Id + "-traced", "wf", WorkflowStatus.Running, "{}", DateTimeOffset.UnixEpoch, "e1", null,
            new Dictionary<string, StepState>(), new Dictionary<string, string>(), parent, "vendor=value");

        Assert.That(await Store.CreateAsync(traced, ["s1"], None), Is.True);
        var loaded = await Store.LoadAsync(traced.Id);
        var untraced = await Store.LoadAsync(Id);
        Assert.Multiple(() =>
        {
            Assert.That(loaded!.TraceParent, Is.EqualTo(parent));
            Assert.That(loaded.TraceState, Is.EqualTo("vendor=value"));
            Assert.That(untraced!.TraceParent, Is.Null, "a workflow stored without a context (or by an older version) has none");
            Assert.That(untraced.TraceState, Is.Null);
        });
    }

    [Test]
    public async Task A_step_starts_once_however_many_callers_race()
    {
        var results = await System.Threading.Tasks.Task.WhenAll(Enumerable.Range(0, 8)
            .Select(_ => Store.StartStepAsync(Id, "s1", "{}", [Task("s1/h0")], Out("started"))));

        Assert.That(results.Count(r => r == StepStart.Started), Is.EqualTo(1));
        Assert.That((await Store.HistoryAsync(Id)).Count(h => h == "started"), Is.EqualTo(1));
    }

    [Test]
    public async Task A_task_counts_once_and_the_step_finishes_after_all_tasks_including_returned_ones()
    {
        await Store.StartStepAsync(Id, "s1", "{}", [Task("s1/h0"), Task("s1/h1")], None);

        Assert.That(await Store.FinishTaskAsync(Id, "s1/h0", "{}", [Task("s1/h0/0")], Out("t0"), Out("done")), Is.EqualTo(TaskFinish.Recorded));
        Assert.That(await Store.FinishTaskAsync(Id, "s1/h0", "{}", [Task("s1/h0/0")], Out("t0"), Out("done")), Is.EqualTo(TaskFinish.Duplicate));
        Assert.That(await Store.FinishTaskAsync(Id, "s1/h1", "{}", [], Out("t1"), Out("done")), Is.EqualTo(TaskFinish.Recorded));
        Assert.That(await Store.FinishTaskAsync(Id, "s1/h0/0", "{\"x\":2}", [], Out("t2"), Out("done")), Is.EqualTo(TaskFinish.StepFinished));
        Assert.That(await Store.FinishTaskAsync(Id, "s1/h1", "{}", [], Out("t1"), Out("done")), Is.EqualTo(TaskFinish.Duplicate));
        Assert.That(await Store.FinishTaskAsync(Id, "s1/unknown", "{}", [], Out("t9"), Out("done")), Is.EqualTo(TaskFinish.Ignored));

        var record = await Store.LoadAsync(Id);
        Assert.That(record!.StepState("s1"), Is.EqualTo(StepState.Finished));
        Assert.That(await Store.HistoryAsync(Id), Is.EqualTo(new[] { "created", "t0", "t1", "t2", "done" }));
        Assert.That((await Store.FinishedTasksAsync(Id, "s1")).Select(f => f.Spec.Id).Order(), Is.EqualTo(new[] { "s1/h0", "s1/h0/0", "s1/h1" }));
    }

    [Test]
    public async Task Racing_deliveries_of_one_task_finish_the_step_exactly_once()
    {
        await Store.StartStepAsync(Id, "s1", "{}", [Task("s1/h0")], None);

        var results = await System.Threading.Tasks.Task.WhenAll(Enumerable.Range(0, 8)
            .Select(_ => Store.FinishTaskAsync(Id, "s1/h0", "{}", [], None, Out("done"))));

        Assert.That(results.Count(r => r == TaskFinish.StepFinished), Is.EqualTo(1));
        Assert.That(results.Count(r => r == TaskFinish.Duplicate), Is.EqualTo(7));
    }

    [Test]
    public async Task A_step_with_no_tasks_finishes_at_once_and_a_step_with_tasks_does_not()
    {
        await Store.StartStepAsync(Id, "s1", "{}", [], None);
        await Store.StartStepAsync(Id, "s2", "{}", [Task("s2/h0")], None);

        Assert.That(await Store.FinishEmptyStepAsync(Id, "s1", Out("s1 done")), Is.True);
        Assert.That(await Store.FinishEmptyStepAsync(Id, "s1", Out("s1 done")), Is.False);
        Assert.That(await Store.FinishEmptyStepAsync(Id, "s2", Out("s2 done")), Is.False);
    }

    [Test]
    public async Task A_step_fails_once_and_keeps_the_first_error()
    {
        await Store.StartStepAsync(Id, "s1", "{}", [Task("s1/h0"), Task("s1/h1")], None);

        Assert.That(await Store.FailStepAsync(Id, "s1/h0", "first", Out("failed")), Is.True);
        Assert.That(await Store.FailStepAsync(Id, "s1/h1", "second", Out("failed")), Is.False);
        var record = await Store.LoadAsync(Id);
        Assert.That(record!.StepState("s1"), Is.EqualTo(StepState.Failed));
        Assert.That(record.Error, Is.EqualTo("first"));
    }

    [Test]
    public async Task Paused_workflows_count_results_but_start_no_step()
    {
        await Store.StartStepAsync(Id, "s1", "{}", [Task("s1/h0")], None);
        Assert.That(await Store.SetStatusAsync(Id, [WorkflowStatus.Running], WorkflowStatus.Paused, null, None, TimeSpan.FromDays(1)), Is.True);

        Assert.That(await Store.StartStepAsync(Id, "s2", "{}", [], None), Is.EqualTo(StepStart.NotRunning));
        Assert.That(await Store.FinishTaskAsync(Id, "s1/h0", "{}", [], None, None), Is.EqualTo(TaskFinish.StepFinished));
        Assert.That(await Store.SetStatusAsync(Id, [WorkflowStatus.Running], WorkflowStatus.Finished, null, None, TimeSpan.FromDays(1)), Is.False);
    }

    [Test]
    public async Task Ending_a_workflow_removes_it_from_the_active_set_and_expires_it_after_the_retention()
    {
        await Store.StartStepAsync(Id, "s1", "{}", [Task("s1/h0")], None);
        var retention = TimeSpan.FromHours(2);

        Assert.That(await Store.SetStatusAsync(Id, [WorkflowStatus.Running], WorkflowStatus.Finished, null, Out("end"), retention), Is.True);

        Assert.That(await Store.ActiveAsync(), Does.Not.Contain(Id));
        Assert.That((await Store.LoadAsync(Id))!.Status, Is.EqualTo(WorkflowStatus.Finished));
        await AssertExpiresAsync(Id, retention);
    }

    [Test]
    public async Task The_outbox_keeps_order_and_removes_only_the_entry_that_was_sent()
    {
        var engine = "e1";
        Assert.That(await Store.PeekOutboxAsync(engine), Is.EqualTo("outbox:created"));
        await Store.AppendOutboxAsync(engine, ["m1", "m2"]);

        await Store.RemoveOutboxHeadAsync(engine, "m1"); // not the head: nothing happens
        Assert.That(await Store.PeekOutboxAsync(engine), Is.EqualTo("outbox:created"));
        await Store.RemoveOutboxHeadAsync(engine, "outbox:created");
        await Store.RemoveOutboxHeadAsync(engine, "m1");
        Assert.That(await Store.PeekOutboxAsync(engine), Is.EqualTo("m2"));
        await Store.RemoveOutboxHeadAsync(engine, "m2");
        Assert.That(await Store.PeekOutboxAsync(engine), Is.Null);
    }

    [Test]
    public async Task Claiming_a_workflow_is_a_compare_and_set_on_its_owner()
    {
        Assert.That(await Store.ClaimAsync(Id, "someone-else", "e2"), Is.False);
        Assert.That(await Store.ClaimAsync(Id, "e1", "e2"), Is.True);
        Assert.That(await Store.ClaimAsync(Id, "e1", "e3"), Is.False);
        Assert.That((await Store.LoadAsync(Id))!.Owner, Is.EqualTo("e2"));
    }
}
