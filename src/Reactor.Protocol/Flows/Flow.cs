using Reactor.Protocol.Flows;
using Reactor.Protocol.Messages;

namespace Reactor;

/// <summary>One event that fired a trigger: its name and the data it was emitted with.</summary>
public sealed record FlowEvent(string Name, JobArgs Data);

/// <summary>
/// Fork and join from job code. Each call is sent to the distributor as it is made, numbered in
/// call order; the distributor derives each next task's id from the running job's id and that
/// number and claims it in Redis, so a job that is run again after a crash publishes only what the
/// first run had not, and never a duplicate. Keep the calls in the same order on every run.
/// </summary>
public static class Flow
{
    /// <summary>The key of a triggered task's args that holds its events (see <see cref="Events"/>).</summary>
    public const string EventsKey = "events";

    /// <summary>Schedules next tasks once each: <c>args.PublishNext("task2", data2, "task3", data3)</c>. A name <c>svc.task</c> goes to service svc.</summary>
    public static void PublishNext(this JobArgs args, params object?[] nameDataPairs) =>
        Send(args, PublishKind.Next, TimeSpan.Zero, global: false, nameDataPairs);

    /// <summary>Schedules next tasks once each, to run after <paramref name="delay"/> (a distributor timer, not a sleep).</summary>
    public static void PublishNext(this JobArgs args, TimeSpan delay, params object?[] nameDataPairs) =>
        Send(args, PublishKind.Next, delay, global: false, nameDataPairs);

    /// <summary>Emits events of this run (the tasks descending from one root publish): <c>args.EmitEvents("event_1", data)</c>.</summary>
    public static void EmitEvents(this JobArgs args, params object?[] nameDataPairs) =>
        Send(args, PublishKind.Event, TimeSpan.Zero, global: false, nameDataPairs);

    /// <summary>Emits global events, seen by global triggers of every run.</summary>
    public static void EmitGlobalEvents(this JobArgs args, params object?[] nameDataPairs) =>
        Send(args, PublishKind.Event, TimeSpan.Zero, global: true, nameDataPairs);

    /// <summary>
    /// Registers a trigger: <paramref name="name"/> runs once, with <paramref name="data"/> and every event
    /// (see <see cref="Events"/>), when all <paramref name="events"/> of this run were emitted, before or after this call.
    /// </summary>
    public static void PublishOnEvents(this JobArgs args, string name, object? data, params string[] events) =>
        Trigger(args, name, data, TimeSpan.Zero, global: false, events);

    /// <summary>Registers a trigger whose task runs <paramref name="delay"/> after its last event.</summary>
    public static void PublishOnEvents(this JobArgs args, TimeSpan delay, string name, object? data, params string[] events) =>
        Trigger(args, name, data, delay, global: false, events);

    /// <summary>Registers a trigger on global events (emitted with <see cref="EmitGlobalEvents"/> by any run).</summary>
    public static void PublishOnGlobalEvents(this JobArgs args, string name, object? data, params string[] events) =>
        Trigger(args, name, data, TimeSpan.Zero, global: true, events);

    /// <summary>
    /// The running job's id. It is the same on every attempt and every re-delivery, so job code can
    /// use it as an idempotency key for side effects outside Reactor.
    /// </summary>
    public static string FlowJobId(this JobArgs args) => FlowContext.Of(args).JobId;

    /// <summary>The run this job belongs to: the id of the root publish it descends from.</summary>
    public static string FlowRunId(this JobArgs args) => FlowIds.RunOf(FlowContext.Of(args).JobId);

    /// <summary>The service of the node running this job, or null.</summary>
    public static string? FlowService(this JobArgs args) => FlowContext.Of(args).Service;

    /// <summary>The events that fired this (triggered) task, in the order they were emitted; empty for other tasks.</summary>
    public static IReadOnlyList<FlowEvent> Events(this JobArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (!args.TryGetValue(EventsKey, out var value) || value is not IEnumerable<object?> list)
        {
            return [];
        }
        var events = new List<FlowEvent>();
        foreach (var item in list)
        {
            if (item is IDictionary<string, object?> map && map.TryGetValue("name", out var name) && name is string text)
            {
                var data = map.TryGetValue("data", out var d) && d is IEnumerable<KeyValuePair<string, object?>> pairs
                    ? new JobArgs(pairs)
                    : new JobArgs();
                events.Add(new FlowEvent(text, data));
            }
        }
        return events;
    }

    private static void Send(JobArgs args, PublishKind kind, TimeSpan delay, bool global, object?[] nameDataPairs)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(nameDataPairs);
        if (nameDataPairs.Length == 0 || nameDataPairs.Length % 2 != 0)
        {
            throw new ArgumentException("give names and data in pairs: \"task2\", data2, \"task3\", data3", nameof(nameDataPairs));
        }
        CheckDelay(delay);
        var context = FlowContext.Of(args);
        var pairs = new List<(string Name, JobArgs Data)>();
        for (var i = 0; i < nameDataPairs.Length; i += 2)
        {
            if (nameDataPairs[i] is not string name || string.IsNullOrWhiteSpace(name))
            {
                throw new ArgumentException($"argument {i} must be a task or event name", nameof(nameDataPairs));
            }
            pairs.Add((name, JobArgs.From(nameDataPairs[i + 1])));
        }
        // Validated first, sent after: a bad pair must not leave half of one call published.
        foreach (var (name, data) in pairs)
        {
            context.Send(new Publish(context.JobId, context.NextIndex(), kind, name, data, (long)delay.TotalMilliseconds, [], global));
        }
    }

    private static void Trigger(JobArgs args, string name, object? data, TimeSpan delay, bool global, string[] events)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(events);
        if (events.Length == 0 || events.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("a trigger needs at least one event name, none empty", nameof(events));
        }
        CheckDelay(delay);
        var context = FlowContext.Of(args);
        context.Send(new Publish(context.JobId, context.NextIndex(), PublishKind.Trigger, name, JobArgs.From(data),
            (long)delay.TotalMilliseconds, [.. events.Distinct(StringComparer.Ordinal)], global));
    }

    private static void CheckDelay(TimeSpan delay)
    {
        if (delay < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(delay), delay, "the delay must not be negative");
        }
    }
}
