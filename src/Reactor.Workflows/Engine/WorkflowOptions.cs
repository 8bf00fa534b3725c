namespace Reactor.Workflows;

/// <summary>How a workflow engine runs. Every default is documented; <see cref="Validate"/> reports all problems at once.</summary>
public sealed class WorkflowOptions
{
    /// <summary>Workflow definitions given in code (see <see cref="WorkflowDefinitions"/>).</summary>
    public IList<WorkflowDefinition> Definitions { get; } = [];

    /// <summary>Directory of <c>*.json</c> / <c>*.yaml</c> definitions loaded at start. Default: none.</summary>
    public string? DefinitionsDirectory { get; set; }

    /// <summary>Redis address for workflow state; null keeps it in memory (lost when the process ends). Default: null.</summary>
    public string? Redis { get; set; }

    /// <summary>Prefix of every Redis key. Default: <c>reactor:wf:</c>.</summary>
    public string RedisKeyPrefix { get; set; } = "reactor:wf:";

    /// <summary>
    /// RabbitMQ URI (<c>amqp://user:pass@host:port/vhost</c>) for events and queue steps; null delivers
    /// events in-process only, and steps with a <c>queue</c> cannot run. For a RabbitMQ cluster, list
    /// one URI per node separated by commas: the engine connects to the first that answers (credentials
    /// and vhost come from the first URI) and, when that node goes away, to another. Default: null.
    /// </summary>
    public string? RabbitMq { get; set; }

    /// <summary>
    /// The type of the queues the engine declares (worker queues and its reply queue). Quorum queues
    /// are replicated across a RabbitMQ cluster's nodes and survive the loss of a minority of them;
    /// classic queues live on one node. A queue that already exists with another type cannot be
    /// redeclared: the engine then logs which queue and keeps retrying (see docs/scaling.md for the
    /// migration). Default: <see cref="AmqpQueueType.Quorum"/>.
    /// </summary>
    public AmqpQueueType QueueType { get; set; } = AmqpQueueType.Quorum;

    /// <summary>How many unacknowledged worker replies the engine's consumer holds at once (AMQP prefetch). Default: 64.</summary>
    public ushort ReplyPrefetch { get; set; } = 64;

    /// <summary>The topic exchange events are published on. Default: <c>reactor.workflows</c>.</summary>
    public string Exchange { get; set; } = "reactor.workflows";

    /// <summary>
    /// This engine's name: unique among live engines on one store, and the same after a restart, so the
    /// engine finds its outbox and its reply queue (<c>EXCHANGE.replies.NAME</c>) again. Default: the machine name.
    /// </summary>
    public string EngineName { get; set; } = Environment.MachineName;

    /// <summary>How long ended workflows stay readable before their keys expire. Default: 7 days.</summary>
    public TimeSpan Retention { get; set; } = DefaultRetention;

    internal static readonly TimeSpan DefaultRetention = TimeSpan.FromDays(7);

    /// <summary>How often the engine renews its lease and adopts workflows of engines whose lease expired. Default: 5 s.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long an engine counts as alive after its last renewal. Default: 15 s.</summary>
    public TimeSpan LeaseTtl { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Options for every task job (attempts, retry delay, timeout). Default: the node's defaults.</summary>
    public EnqueueOptions? TaskOptions { get; set; }

    /// <summary>First delay before reconnecting to RabbitMQ or resending the outbox; doubles up to <see cref="MaxReconnectDelay"/>. Default: 500 ms.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest reconnect delay. Default: 15 s.</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a publish may wait for the broker's confirm. Default: 10 s.</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Throws <see cref="ArgumentException"/> describing every invalid setting.</summary>
    public void Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(EngineName) || EngineName.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)) || EngineName.Length > 100)
        {
            errors.Add("EngineName must be 1-100 characters without spaces");
        }
        if (string.IsNullOrWhiteSpace(Exchange))
        {
            errors.Add("Exchange is required");
        }
        if (RabbitMq is not null && !RabbitMq.Split(',').All(u => Uri.TryCreate(u.Trim(), UriKind.Absolute, out var uri) && uri.Scheme is "amqp" or "amqps"))
        {
            errors.Add("RabbitMq must be an amqp:// or amqps:// URI, or several separated by commas");
        }
        if (ReplyPrefetch == 0)
        {
            errors.Add("ReplyPrefetch must be at least 1");
        }
        if (!Enum.IsDefined(QueueType))
        {
            errors.Add($"QueueType must be Quorum or Classic (was {(int)QueueType})");
        }
        if (Retention <= TimeSpan.Zero || SweepInterval <= TimeSpan.Zero || LeaseTtl <= SweepInterval)
        {
            errors.Add("Retention and SweepInterval must be positive, and LeaseTtl longer than SweepInterval");
        }
        if (ReconnectDelay <= TimeSpan.Zero || MaxReconnectDelay < ReconnectDelay || PublishTimeout <= TimeSpan.Zero)
        {
            errors.Add("ReconnectDelay and PublishTimeout must be positive, MaxReconnectDelay at least ReconnectDelay");
        }
        if (errors.Count > 0)
        {
            throw new ArgumentException("invalid workflow options: " + string.Join("; ", errors));
        }
    }
}

/// <summary>The RabbitMQ queue type the workflow engine declares its queues with.</summary>
public enum AmqpQueueType
{
    /// <summary>Replicated Raft-based queue (<c>x-queue-type: quorum</c>): the default.</summary>
    Quorum,

    /// <summary>Single-node classic queue, as versions before quorum queues declared (no arguments).</summary>
    Classic,
}
