using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Reactor.Workflows.Events;

/// <summary>
/// One message waiting in an engine's outbox: an event for the topic exchange, or a task message for
/// an external worker's queue. Written by the same atomic store operation as the transition that
/// caused it; the relay sends entries in order and removes each only once RabbitMQ confirmed it.
/// </summary>
internal sealed record OutboxEntry(
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("routing_key")] string RoutingKey,
    [property: JsonPropertyName("correlation_id")] string? CorrelationId,
    [property: JsonPropertyName("body")] JsonObject Body)
{
    public const string EventKind = "event";
    public const string TaskKind = "task";

    public static string ForEvent(WorkflowEvent e) =>
        JsonSerializer.Serialize(new OutboxEntry(EventKind, e.Type, null, (JsonObject)JsonSerializer.SerializeToNode(e)!));

    public static string ForTask(string queue, string correlationId, JsonObject body) =>
        JsonSerializer.Serialize(new OutboxEntry(TaskKind, queue, correlationId, body));

    public static OutboxEntry Parse(string json) =>
        JsonSerializer.Deserialize<OutboxEntry>(json) ?? throw new JsonException("empty outbox entry");

    public WorkflowEvent? AsEvent() => Kind == EventKind ? Body.Deserialize<WorkflowEvent>() : null;
}
