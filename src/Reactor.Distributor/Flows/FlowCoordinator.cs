using MessagePack;
using Microsoft.Extensions.Logging;
using Reactor.Protocol.Flows;
using Reactor.Protocol.Framing;
using Reactor.Protocol.Messages;

namespace Reactor.Distributor.Flows;

/// <summary>The payload a trigger keeps until it fires: the task to run and its data.</summary>
[MessagePackObject]
public sealed record TriggerPayload(
    [property: Key(0)] string Name,
    [property: Key(1)] long DelayMs,
    [property: Key(2)] byte[] Data);

/// <summary>What the coordinator needs from the distributor: build a job with a given id, and submit it.</summary>
internal interface IFlowScheduler
{
    /// <summary>
    /// Builds the job (validating its args) and, with a journal, its journal entry. <paramref name="cause"/> is
    /// the publish that led to it (its parent job and trace context).
    /// </summary>
    (JobEnvelope Job, byte[]? JournalEntry) Prepare(string id, string name, JobArgs args, TimeSpan delay, Publish cause);

    /// <summary>Registers the job's feedback and hands it to the dispatcher; the journal already holds it.</summary>
    void Submit(JobEnvelope job);
}

/// <summary>
/// Turns <see cref="Publish"/> messages into jobs exactly once. A child's id is derived from its
/// parent's id and publish index and claimed in the store before the child is submitted, so a
/// parent that runs again publishes only what was not claimed yet. A session awaits each publish
/// before it reads the node's next message, so a parent's final result is only recorded after its
/// publishes are claimed (and journaled); a publish that fails drops the connection, and the parent
/// runs again elsewhere.
/// </summary>
internal sealed partial class FlowCoordinator(IFlowStore store, IFlowScheduler scheduler, TimeProvider time, ILogger logger,
    Metrics.DistributorMetrics? metrics = null) : IAsyncDisposable
{
    private static readonly MessagePackSerializerOptions Untrusted =
        MessagePackSerializerOptions.Standard.WithSecurity(MessagePackSecurity.UntrustedData);

    public IFlowStore Store => store;

    /// <summary>Pauses between tries of one publish: a Redis blip should not cost the node its connection.</summary>
    private static readonly TimeSpan[] Backoff = [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(2)];

    public async Task HandleAsync(string nodeName, Publish publish)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await ApplyAsync(publish).ConfigureAwait(false);
                return;
            }
            catch (ArgumentException e)
            {
                // Args that can never be sent would fail the same way on every re-run: report, do not retry.
                LogPublishRefused(logger, publish.Kind.ToString(), publish.Name, publish.ParentJobId, e.Message);
                return;
            }
            catch (Exception e) when (e is not IOException && attempt < Backoff.Length)
            {
                // Every step is idempotent (claims, first-write-wins events), so trying again is safe.
                LogPublishRetry(logger, publish.Name, publish.ParentJobId, e.Message);
                await Task.Delay(Backoff[attempt], time).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not IOException)
            {
                LogPublishFailed(logger, publish.Kind.ToString(), publish.Name, publish.ParentJobId, nodeName, e.Message);
                // Dropping the connection sends the parent to another node; the re-run publishes again
                // and the claims keep what already went through from going twice.
                throw new IOException($"publish of '{publish.Name}' by job {publish.ParentJobId} failed: {e.Message}", e);
            }
        }
    }

    private async Task ApplyAsync(Publish publish)
    {
        switch (publish.Kind)
        {
            case PublishKind.Next:
                await ScheduleAsync(FlowIds.Child(publish.ParentJobId, publish.Index), publish.Name, publish.Data,
                    TimeSpan.FromMilliseconds(publish.DelayMs), null, null, publish).ConfigureAwait(false);
                break;
            case PublishKind.Event:
                var scope = Scope(publish);
                var ready = await store.EmitAsync(scope, publish.Name, JobArgsSerializer.Serialize(publish.Data)).ConfigureAwait(false);
                foreach (var trigger in ready)
                {
                    await FireAsync(scope, trigger, publish).ConfigureAwait(false);
                }
                break;
            case PublishKind.Trigger:
                await RegisterAsync(publish).ConfigureAwait(false);
                break;
        }
    }

    public ValueTask DisposeAsync() => store.DisposeAsync();

    private async Task RegisterAsync(Publish publish)
    {
        var scope = Scope(publish);
        var triggerId = FlowIds.Child(publish.ParentJobId, publish.Index, "trigger");
        var payload = MessagePackSerializer.Serialize(
            new TriggerPayload(publish.Name, publish.DelayMs, JobArgsSerializer.Serialize(publish.Data)), Untrusted);
        if (await store.RegisterAsync(scope, triggerId, publish.Events, payload).ConfigureAwait(false) is { } ready)
        {
            await FireAsync(scope, ready, publish).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Several emits may each find a trigger ready; the claim of its task's id lets one through. If the
    /// distributor dies before the claim, the emitting job's result was not recorded either, so it
    /// runs again, emits again, and finds the trigger still ready.
    /// </summary>
    /// <remarks>The task joins the trace of <paramref name="cause"/>: the emit or registration that completed the trigger.</remarks>
    private async Task FireAsync(string scope, ReadyTrigger trigger, Publish cause)
    {
        var payload = MessagePackSerializer.Deserialize<TriggerPayload>(trigger.Payload, Untrusted);
        var args = JobArgsSerializer.Deserialize(payload.Data);
        args[Flow.EventsKey] = trigger.Events
            .Select(e => (object?)new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["name"] = e.Name,
                ["data"] = JobArgsSerializer.Deserialize(e.Data),
            })
            .ToList();
        var id = FlowIds.Child(trigger.TriggerId, 0, "fire");
        await ScheduleAsync(id, payload.Name, args, TimeSpan.FromMilliseconds(payload.DelayMs), scope, trigger.TriggerId, cause).ConfigureAwait(false);
    }

    private async Task ScheduleAsync(string id, string name, JobArgs args, TimeSpan delay, string? scope, string? trigger, Publish cause)
    {
        var (job, entry) = scheduler.Prepare(id, name, args, delay, cause);
        var (claimed, firstName) = await store.ClaimAsync(id, name, entry, scope, trigger).ConfigureAwait(false);
        if (!claimed)
        {
            metrics?.ClaimRefused(name);
            if (firstName != name)
            {
                // The first publish at this position wins: it may already have run.
                LogDiffers(logger, id, firstName, name);
            }
            else
            {
                LogAlreadyScheduled(logger, id, name);
            }
            return;
        }
        scheduler.Submit(job);
        metrics?.TaskPublished(name);
    }

    private static string Scope(Publish publish) => publish.Global ? "global" : "run:" + FlowIds.RunOf(publish.ParentJobId);

    [LoggerMessage(EventId = 600, Level = LogLevel.Error, Message = "{Kind} '{Name}' from job {ParentJobId} on node {Node} failed: {Reason}; dropping the node so the job runs again")]
    private static partial void LogPublishFailed(ILogger logger, string kind, string name, string parentJobId, string node, string reason);

    [LoggerMessage(EventId = 603, Level = LogLevel.Error, Message = "{Kind} '{Name}' from job {ParentJobId} refused: {Reason}")]
    private static partial void LogPublishRefused(ILogger logger, string kind, string name, string parentJobId, string reason);

    [LoggerMessage(EventId = 604, Level = LogLevel.Warning, Message = "Publish of '{Name}' by job {ParentJobId} failed ({Reason}); trying again")]
    private static partial void LogPublishRetry(ILogger logger, string name, string parentJobId, string reason);

    [LoggerMessage(EventId = 601, Level = LogLevel.Warning, Message = "Task {JobId} was first published as '{First}'; the re-run's '{Name}' is ignored")]
    private static partial void LogDiffers(ILogger logger, string jobId, string first, string name);

    [LoggerMessage(EventId = 602, Level = LogLevel.Debug, Message = "Task {JobId} ('{Name}') was already scheduled; not again")]
    private static partial void LogAlreadyScheduled(ILogger logger, string jobId, string name);
}
