using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Reactor.Workflows;

namespace Reactor.Cli.Commands;

/// <summary><c>reactor workflow validate|start|status|watch</c>: check definitions, start and inspect workflows, follow events.</summary>
internal static class WorkflowCommand
{
    public static Command Create()
    {
        var command = new Command("workflow", "Validate workflow definitions, start workflows, show their history, watch their events");
        command.Subcommands.Add(Validate());
        command.Subcommands.Add(Start());
        command.Subcommands.Add(Status());
        command.Subcommands.Add(Watch());
        return command;
    }

    private static Option<string> RedisOption() => new("--redis") { Description = "Redis address of the workflow store (host:port or redis://...)", Required = true };

    private static Option<string> PrefixOption() => new("--prefix") { Description = "Redis key prefix", DefaultValueFactory = _ => "reactor:wf:" };

    private static Command Validate()
    {
        var file = new Argument<string>("FILE") { Description = "A .json (phases) or .yaml/.yml (steps) definition file" };
        var command = new Command("validate", "Check a definition file and list its workflows and steps") { file };
        command.SetAction(result => Guard(() =>
        {
            foreach (var definition in WorkflowDefinitions.LoadFile(result.GetValue(file)!))
            {
                Console.WriteLine($"workflow {definition.Name}: {definition.Steps.Count} steps");
                foreach (var step in definition.Steps)
                {
                    var runs = step.FanOut is { } f ? $"fan-out over '{f.ItemListKey}': {string.Join(" > ", f.Chain.Select(Describe))}"
                        : string.Join(", ", step.Handlers.Select(Describe));
                    var after = step.Depends.Count > 0 ? $" after {string.Join(step.AnyDependency ? " or " : " and ", step.Depends)}" : step.IsInitial ? " (initial)" : "";
                    var onError = step.OnError is { } e ? $", on error -> {e}" : "";
                    Console.WriteLine($"  {step.Name}{after}: {(runs.Length > 0 ? runs : "no tasks")}{onError}");
                }
            }
            return Task.FromResult(0);
        }));
        return command;
    }

    private static string Describe(HandlerDefinition h) => h.Queue is { } q ? $"queue {q}" : $"job {h.Name}" + (h.Version is { } v ? $" v{v}" : "");

    private static Command Start()
    {
        var name = new Argument<string>("NAME") { Description = "Workflow name" };
        var payload = new Option<string>("--payload") { Description = "JSON object given to the first steps", DefaultValueFactory = _ => "{}" };
        var definitions = new Option<string>("--definitions") { Description = "Directory of workflow definitions (to check NAME)", Required = true };
        var redis = RedisOption();
        var prefix = PrefixOption();
        var command = new Command("start", "Create a workflow in the store; a running engine adopts and runs it at its next sweep")
        {
            name, payload, definitions, redis, prefix,
        };
        command.SetAction((result, _) => Guard(async () =>
        {
            var workflow = result.GetValue(name)!;
            var definition = WorkflowDefinitions.LoadDirectory(result.GetValue(definitions)!).FirstOrDefault(d => d.Name == workflow)
                ?? throw new ArgumentException($"no workflow '{workflow}' in {result.GetValue(definitions)}");
            await using var client = await WorkflowClient.ConnectAsync(result.GetValue(redis)!, result.GetValue(prefix)!);
            var id = await client.StartAsync(definition, result.GetValue(payload));
            Console.WriteLine(id);
            return 0;
        }));
        return command;
    }

    private static Command Status()
    {
        var id = new Argument<string>("ID") { Description = "Workflow id" };
        var redis = RedisOption();
        var prefix = PrefixOption();
        var command = new Command("status", "Show a workflow's status, steps and transition history with times") { id, redis, prefix };
        command.SetAction((result, _) => Guard(async () =>
        {
            await using var client = await WorkflowClient.ConnectAsync(result.GetValue(redis)!, result.GetValue(prefix)!);
            var workflowId = result.GetValue(id)!;
            var record = await client.GetAsync(workflowId);
            if (record is null)
            {
                Console.Error.WriteLine($"no workflow {workflowId} (unknown, or expired after its retention)");
                return 1;
            }
            Console.WriteLine($"workflow {record.Id} ({record.Name}): {record.Status.ToString().ToLowerInvariant()}, owner {record.Owner ?? "none"}");
            if (record.Error is { } error)
            {
                Console.WriteLine($"  error: {error}");
            }
            foreach (var (step, state) in record.Steps)
            {
                Console.WriteLine($"  step {step}: {state.ToString().ToLowerInvariant()}");
            }
            Console.WriteLine("history:");
            foreach (var entry in await client.HistoryAsync(workflowId))
            {
                Console.WriteLine($"  {entry.At.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture)}  {entry.Type,-24} {entry.From} -> {entry.To}");
            }
            return 0;
        }));
        return command;
    }

    private static Command Watch()
    {
        var uri = new Option<string>("--rabbitmq") { Description = "RabbitMQ URI (amqp://user:pass@host:port/)", Required = true };
        var exchange = new Option<string>("--exchange") { Description = "Events exchange", DefaultValueFactory = _ => "reactor.workflows" };
        var filter = new Option<string>("--filter") { Description = "Routing-key pattern", DefaultValueFactory = _ => "workflow.#" };
        var command = new Command("watch", "Print workflow events as they are published, until Ctrl-C") { uri, exchange, filter };
        command.SetAction((result, cancellationToken) => Guard(async () =>
        {
            await using var connection = await new ConnectionFactory { Uri = new Uri(result.GetValue(uri)!) }.CreateConnectionAsync(cancellationToken);
            await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
            await channel.ExchangeDeclareAsync(result.GetValue(exchange)!, ExchangeType.Topic, durable: true, cancellationToken: cancellationToken);
            var queue = (await channel.QueueDeclareAsync("", false, true, true, cancellationToken: cancellationToken)).QueueName;
            await channel.QueueBindAsync(queue, result.GetValue(exchange)!, result.GetValue(filter)!, cancellationToken: cancellationToken);
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += (_, d) =>
            {
                var e = JsonSerializer.Deserialize<WorkflowEvent>(d.Body.Span);
                Console.WriteLine(e is null ? d.RoutingKey : $"{e.At:HH:mm:ss.fff} {e.Type,-24} {e.WorkflowId} {e.Step ?? ""} {e.TaskId ?? ""} {e.Error ?? ""}".TrimEnd());
                return Task.CompletedTask;
            };
            await channel.BasicConsumeAsync(queue, true, consumer, cancellationToken);
            Console.Error.WriteLine($"watching {result.GetValue(exchange)} ({result.GetValue(filter)}); Ctrl-C to stop");
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Ctrl-C: a normal end.
            }
            return 0;
        }));
        return command;
    }

    /// <summary>Expected failures (bad file, unreachable service) print one line and exit 1, not a stack trace.</summary>
    private static async Task<int> Guard(Func<Task<int>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (Exception e) when (e is WorkflowDefinitionException or ArgumentException or InvalidOperationException or IOException
            or JsonException or RabbitMQ.Client.Exceptions.BrokerUnreachableException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }
}
