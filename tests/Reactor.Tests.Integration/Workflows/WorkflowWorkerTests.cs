using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using NUnit.Framework;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Reactor.Tests.Integration.Services;
using Reactor.Workflows;

namespace Reactor.Tests.Integration.Workflows;

/// <summary>Queue steps served by external workers over AMQP: the Node.js example, and a worker that replies twice.</summary>
[TestFixture]
[CancelAfter(240_000)]
public sealed class WorkflowWorkerTests
{
    private static string Yaml(string queue) => $"""
        workflows:
          - name: shout
            steps:
              - name: shout-lines
                task: shout-each
                queue: {queue}
              - name: tally
                depends: [ shout-lines ]
            tasks:
              - name: shout-each
                itemListKey: lines
                steps:
                  - name: shout-line
        """;

    private static void Tally(IJobRegistry jobs) => jobs.Job("tally", a =>
    {
        var outputs = (IList<object?>)WordCountJobs.Payload(a)["shout-lines"]!;
        a["total_words"] = outputs.Sum(o => Convert.ToInt64(((IDictionary<string, object?>)o!)["words"], System.Globalization.CultureInfo.InvariantCulture));
    });

    [Test]
    public async Task The_nodejs_example_worker_completes_its_step()
    {
        var rabbit = await TestServices.RabbitMqAsync();
        var redis = await TestServices.RedisAsync();
        var queue = "test-shout-" + Guid.NewGuid().ToString("N")[..8];
        await using var worker = await StartNodeWorkerAsync(rabbit, queue);
        await using var rig = await WorkflowRig.StartAsync(Yaml(queue), Tally, o =>
        {
            o.RabbitMq = rabbit;
            o.Redis = redis;
        });

        var lines = new[] { new { text = "hello there" }, new { text = "general kenobi" }, new { text = "you are a bold one" } };
        var result = await rig.Engine.RunWorkflowAsync("shout", new { lines }).WaitAsync(WorkflowRig.Patience);

        Assert.That(result.Status, Is.EqualTo(WorkflowStatus.Finished), result.Error + "\n" + worker.Output);
        Assert.That(result.Output["shout-lines"]!.AsArray().Select(o => o!["shouted"]!.ToString()),
            Is.EqualTo(new[] { "HELLO THERE", "GENERAL KENOBI", "YOU ARE A BOLD ONE" }));
        Assert.That((long)result.Output["total_words"]!, Is.EqualTo(9));
    }

    [Test]
    public async Task A_task_result_delivered_twice_counts_once()
    {
        var rabbit = await TestServices.RabbitMqAsync();
        var queue = "test-twice-" + Guid.NewGuid().ToString("N")[..8];
        await using var worker = await DoubleReplyWorker.StartAsync(rabbit, queue);
        await using var rig = await WorkflowRig.StartAsync(Yaml(queue), Tally, o => o.RabbitMq = rabbit);

        var lines = Enumerable.Range(0, 5).Select(i => new { text = $"word{i} and more" }).ToArray();
        var result = await rig.Engine.RunWorkflowAsync("shout", new { lines }).WaitAsync(WorkflowRig.Patience);
        // A later workflow through the same worker and the same reply queue: once it has finished, every
        // second reply of the first one was consumed before its own (one queue, one consumer, in order).
        var sentinel = await rig.Engine.RunWorkflowAsync("shout", new { lines = new[] { new { text = "sentinel" } } }).WaitAsync(WorkflowRig.Patience);
        Assert.That(sentinel.Status, Is.EqualTo(WorkflowStatus.Finished), sentinel.Error);

        await WorkflowEngineTests.WaitUntilAsync(() => worker.Replies == 12); // every task answered twice
        Assert.That(result.Status, Is.EqualTo(WorkflowStatus.Finished), result.Error);
        Assert.That(result.Output["shout-lines"]!.AsArray(), Has.Count.EqualTo(5));
        Assert.That((long)result.Output["total_words"]!, Is.EqualTo(15), "no section counted twice");
        Assert.That(rig.EventsOf(result.Id, WorkflowEventTypes.TaskFinished), Has.Count.EqualTo(6), "5 items + tally");
        Assert.That(rig.EventsOf(result.Id, WorkflowEventTypes.PhaseFinished).Count(e => e.Step == "shout-lines"), Is.EqualTo(1));
    }

    private static async Task<ChildWorker> StartNodeWorkerAsync(string rabbit, string queue)
    {
        var directory = FindExample();
        if (!Directory.Exists(Path.Combine(directory, "node_modules", "amqplib")))
        {
            var install = Process.Start(new ProcessStartInfo("npm", "install --no-audit --no-fund") { WorkingDirectory = directory })!;
            await install.WaitForExitAsync();
            Assert.That(install.ExitCode, Is.Zero, $"npm install in {directory} failed; the example worker needs Node.js 18+ and the npm registry");
        }
        var start = new ProcessStartInfo("node", "worker.js") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["AMQP_URL"] = rabbit;
        start.Environment["QUEUE"] = queue;
        var worker = new ChildWorker(Process.Start(start)!);
        await WorkflowEngineTests.WaitUntilAsync(() => worker.Output.Contains("worker ready", StringComparison.Ordinal) || worker.Process.HasExited);
        Assert.That(worker.Process.HasExited, Is.False, worker.Output);
        return worker;
    }

    private static string FindExample()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "examples", "WorkflowWorker");
            if (File.Exists(Path.Combine(candidate, "worker.js")))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException("examples/WorkflowWorker not found above " + AppContext.BaseDirectory);
    }

    private sealed class ChildWorker : IAsyncDisposable
    {
        private readonly StringBuilder _output = new();

        public ChildWorker(Process process)
        {
            Process = process;
            process.OutputDataReceived += (_, e) => Append(e.Data);
            process.ErrorDataReceived += (_, e) => Append(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public Process Process { get; }

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        private void Append(string? line)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                await Process.WaitForExitAsync();
            }
            Process.Dispose();
        }
    }

    /// <summary>A misbehaving worker: answers every task twice, as a redelivery after a lost ack would.</summary>
    private sealed class DoubleReplyWorker(IConnection connection, IChannel channel) : IAsyncDisposable
    {
        private int _replies;

        public int Replies => Volatile.Read(ref _replies);

        public static async Task<DoubleReplyWorker> StartAsync(string uri, string queue)
        {
            var connection = await new ConnectionFactory { Uri = new Uri(uri) }.CreateConnectionAsync();
            var channel = await connection.CreateChannelAsync();
            // The engine declares worker queues as quorum queues: a worker declaring first must match.
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false,
                arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" });
            var worker = new DoubleReplyWorker(connection, channel);
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += async (_, d) =>
            {
                var task = JsonNode.Parse(d.Body.Span)!;
                var text = task["item"]!["text"]!.ToString();
                var reply = new JsonObject { ["status"] = "ok", ["output"] = new JsonObject { ["words"] = text.Split(' ').Length } };
                var properties = new BasicProperties { CorrelationId = d.BasicProperties.CorrelationId, Persistent = true };
                var body = Encoding.UTF8.GetBytes(reply.ToJsonString());
                for (var i = 0; i < 2; i++)
                {
                    await channel.BasicPublishAsync("", d.BasicProperties.ReplyTo!, false, properties, body);
                    Interlocked.Increment(ref worker._replies);
                }
                await channel.BasicAckAsync(d.DeliveryTag, false);
            };
            await channel.BasicConsumeAsync(queue, autoAck: false, consumer);
            return worker;
        }

        public async ValueTask DisposeAsync()
        {
            await channel.DisposeAsync();
            await connection.DisposeAsync();
        }
    }
}
