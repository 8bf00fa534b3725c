using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using Reactor.Distributor;
using Reactor.Distributor.Flows;
using Reactor.Protocol.Flows;
using Reactor.Protocol.Messages;

namespace Reactor.Tests.Unit.Flows;

public class FlowCoordinatorTests
{
    private static Publish Next(string parent, int index, string name) => new(parent, index, PublishKind.Next, name, new JobArgs(), 0, [], false);

    [Test]
    public async Task The_same_publish_twice_queues_one_job_with_the_derived_id()
    {
        var scheduler = new RecordingScheduler();
        var coordinator = new FlowCoordinator(new MemoryFlowStore(new FakeTimeProvider(), TimeSpan.FromHours(1)), scheduler,
            TimeProvider.System, NullLogger.Instance);

        await coordinator.HandleAsync("n", Next("run1", 0, "a"));
        await coordinator.HandleAsync("n", Next("run1", 0, "a"));
        await coordinator.HandleAsync("n", Next("run1", 0, "other"));
        await coordinator.HandleAsync("n", Next("run1", 1, "b"));

        Assert.That(scheduler.Submitted.Select(j => (j.Id, j.Name)), Is.EqualTo(new[]
        {
            (FlowIds.Child("run1", 0), "a"), (FlowIds.Child("run1", 1), "b"),
        }));
    }

    [Test]
    public async Task A_store_failure_is_tried_again_and_a_lasting_one_drops_the_connection()
    {
        var scheduler = new RecordingScheduler();
        var flaky = new FailingStore(failures: 2);
        var coordinator = new FlowCoordinator(flaky, scheduler, TimeProvider.System, NullLogger.Instance);

        await coordinator.HandleAsync("n", Next("run1", 0, "a"));
        Assert.That(scheduler.Submitted, Has.Count.EqualTo(1));

        var broken = new FlowCoordinator(new FailingStore(failures: int.MaxValue), scheduler, TimeProvider.System, NullLogger.Instance);
        Assert.That(async () => await broken.HandleAsync("n", Next("run1", 1, "b")), Throws.TypeOf<IOException>());
    }

    private sealed class RecordingScheduler : IFlowScheduler
    {
        public List<JobEnvelope> Submitted { get; } = [];

        public (JobEnvelope Job, byte[]? JournalEntry) Prepare(string id, string name, JobArgs args, TimeSpan delay, Publish cause) =>
            (new JobEnvelope(new Dispatch(id, name, args, 0, 0, false, 0, 0, 0), null, null, DateTimeOffset.MaxValue), null);

        public void Submit(JobEnvelope job) => Submitted.Add(job);
    }

    private sealed class FailingStore(int failures) : IFlowStore
    {
        private readonly MemoryFlowStore _inner = new(new FakeTimeProvider(), TimeSpan.FromHours(1));
        private int _failures = failures;

        public Task<(bool Claimed, string FirstName)> ClaimAsync(string jobId, string name, byte[]? journalEntry, string? scope, string? firedTrigger) =>
            _failures-- > 0 ? throw new InvalidOperationException("redis down") : _inner.ClaimAsync(jobId, name, journalEntry, scope, firedTrigger);

        public Task<IReadOnlyList<ReadyTrigger>> EmitAsync(string scope, string eventName, byte[] data) => _inner.EmitAsync(scope, eventName, data);

        public Task<ReadyTrigger?> RegisterAsync(string scope, string triggerId, string[] events, byte[] payload) =>
            _inner.RegisterAsync(scope, triggerId, events, payload);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
