using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using Reactor.Distributor.Flows;
using Reactor.Protocol.Flows;
using Reactor.Protocol.Messages;

namespace Reactor.Tests.Unit.Flows;

public class FlowIdsTests
{
    [Test]
    public void A_child_id_depends_only_on_the_parent_and_the_index_and_keeps_the_run()
    {
        var first = FlowIds.Child("run1", 0);

        Assert.That(FlowIds.Child("run1", 0), Is.EqualTo(first));
        Assert.That(FlowIds.Child("run1", 1), Is.Not.EqualTo(first));
        Assert.That(FlowIds.Child("run1", 0, "trigger"), Is.Not.EqualTo(first));
        Assert.That(first, Does.StartWith("run1:"));
        Assert.That(FlowIds.RunOf(FlowIds.Child(first, 3)), Is.EqualTo("run1"));
        Assert.That(FlowIds.Child(FlowIds.Child(first, 3), 7).Length, Is.EqualTo(first.Length), "ids do not grow with depth");
    }
}

public class FlowApiTests
{
    [Test]
    public void Publishes_are_numbered_in_call_order_and_pairs_are_checked_before_anything_is_sent()
    {
        var args = new JobArgs();
        var context = new RecordingContext("job-1");
        FlowContext.Attach(args, context);

        args.PublishNext("a", new { x = 1 }, "b", null);
        args.EmitEvents("e", null);
        args.PublishOnEvents(TimeSpan.FromSeconds(2), "join", null, "e", "f", "e");
        Assert.That(() => args.PublishNext("c", null, "d"), Throws.ArgumentException);

        Assert.That(context.Sent.Select(p => (p.Index, p.Kind, p.Name)), Is.EqualTo(new[]
        {
            (0, PublishKind.Next, "a"), (1, PublishKind.Next, "b"), (2, PublishKind.Event, "e"), (3, PublishKind.Trigger, "join"),
        }));
        Assert.That(context.Sent[0].Data.Get<int>("x"), Is.EqualTo(1));
        Assert.That(context.Sent[3].Events, Is.EqualTo(new[] { "e", "f" }));
        Assert.That(context.Sent[3].DelayMs, Is.EqualTo(2000));
        Assert.That(args.FlowJobId(), Is.EqualTo("job-1"));
    }

    [Test]
    public void Args_of_no_running_job_cannot_publish()
    {
        Assert.That(() => new JobArgs().PublishNext("a", null), Throws.InvalidOperationException.With.Message.Contains("running job"));
    }

    private sealed class RecordingContext(string jobId) : FlowContext(jobId, null)
    {
        public List<Publish> Sent { get; } = [];

        public override void Send(Publish publish) => Sent.Add(publish);
    }
}

public class MemoryFlowStoreTests
{
    private readonly FakeTimeProvider _time = new();

    [Test]
    public async Task A_claim_succeeds_once_and_remembers_the_first_name()
    {
        var store = new MemoryFlowStore(_time, TimeSpan.FromHours(1));

        Assert.That(await store.ClaimAsync("r:1", "a", null, null, null), Is.EqualTo((true, "a")));
        Assert.That(await store.ClaimAsync("r:1", "b", null, null, null), Is.EqualTo((false, "a")));
    }

    [Test]
    public async Task A_trigger_is_ready_when_its_last_event_arrives_or_at_registration_when_they_all_came_first()
    {
        var store = new MemoryFlowStore(_time, TimeSpan.FromHours(1));

        Assert.That(await store.RegisterAsync("run:a", "t1", ["x", "y"], [1]), Is.Null);
        Assert.That(await store.EmitAsync("run:a", "y", [2]), Is.Empty);
        var ready = await store.EmitAsync("run:a", "x", [3]);
        await store.EmitAsync("run:b", "x", [4]);
        await store.EmitAsync("run:b", "y", [5]);
        var late = await store.RegisterAsync("run:b", "t2", ["x", "y"], [6]);

        Assert.That(ready.Single().Events.Select(e => e.Name), Is.EqualTo(new[] { "y", "x" }), "in emission order");
        Assert.That(late!.Events.Select(e => e.Data[0]), Is.EqualTo(new byte[] { 4, 5 }));
    }

    [Test]
    public async Task A_fired_trigger_is_not_ready_again_and_state_expires_after_the_retention()
    {
        var store = new MemoryFlowStore(_time, TimeSpan.FromMinutes(1));
        await store.EmitAsync("run:a", "x", [1]);
        var ready = await store.RegisterAsync("run:a", "t1", ["x"], [1]);
        await store.ClaimAsync("r:fire", "join", null, "run:a", ready!.TriggerId);

        Assert.That(await store.EmitAsync("run:a", "x", [1]), Is.Empty);
        Assert.That(await store.RegisterAsync("run:a", "t1", ["x"], [1]), Is.Null);
        Assert.That(store.Count, Is.EqualTo(2));
        _time.Advance(TimeSpan.FromMinutes(2));
        Assert.That(store.Count, Is.Zero);
    }
}
