// Workflows: the seeds' word-count example. An in-process distributor and workflow engine, one
// `reactor node` process running the handlers from ./reactor_jobs. State in memory and events
// relayed in-process by default; set REACTOR_REDIS and REACTOR_RABBITMQ to use the real services.
using Reactor;
using Reactor.Workflows;

await using var host = new ReactorHost();
var distributor = await host.StartDistributorAsync("127.0.0.1", 0);
var engine = await host.StartWorkflowsAsync(o =>
{
    o.DefinitionsDirectory = Path.Combine(AppContext.BaseDirectory, "workflows");
    o.Redis = Environment.GetEnvironmentVariable("REACTOR_REDIS");
    o.RabbitMq = Environment.GetEnvironmentVariable("REACTOR_RABBITMQ");
});
using var events = engine.OnWorkflowEvent(e => Console.WriteLine($"event {e.Type} {e.Step}"));
await using var node = NodeProcess.Start("wf_worker", $"127.0.0.1:{distributor.Port}",
    Path.Combine(AppContext.BaseDirectory, "reactor_jobs"), "--log-level", "Warning");
await distributor.WaitForNodesAsync(1).WaitAsync(TimeSpan.FromMinutes(2));

const string book = "It was a bright cold day in April.\n\nThe clocks were striking thirteen.\n\nWinston hurried home.";
var result = await engine.RunWorkflowAsync("book-word-counts", new { title = "Nineteen Eighty-Four", text = book })
    .WaitAsync(TimeSpan.FromMinutes(1));
Console.WriteLine($"workflow {result.Id}: {result.Status}; total words {result.Output["total"]}; title {result.Output["stored_title"]}");

await host.StopWorkflowsAsync();
await node.StopAsync(TimeSpan.FromSeconds(10));
return result.Succeeded && result.Output["total"]?.GetValue<long>() == 16 ? 0 : 1;
