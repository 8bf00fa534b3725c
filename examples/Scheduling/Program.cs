// Scheduling and routing: deferred, run-at and periodic jobs, and node-based priorities with a
// "vip" node kept free for urgent work. Two `reactor node` processes; memory storage; no services.
using Reactor;

await using var host = new ReactorHost();
var distributor = await host.StartDistributorAsync("127.0.0.1", 0);
var address = $"127.0.0.1:{distributor.Port}";
var jobs = Path.Combine(AppContext.BaseDirectory, "reactor_jobs");
await using var vip = NodeProcess.Start("vip", address, jobs, "--log-level", "Warning");
await using var bulk = NodeProcess.Start("bulk", address, jobs, "--log-level", "Warning");
await distributor.WaitForNodesAsync(2).WaitAsync(TimeSpan.FromMinutes(2));
var started = DateTime.UtcNow;
string Since() => $"+{(DateTime.UtcNow - started).TotalSeconds:0.0}s";

// Node-based priorities: urgent work prefers "vip"; everything else is told to stay off it.
var urgent = distributor.EnqueueAsync("where", null, new EnqueueOptions { Node = "vip" });
var routine = Enumerable.Range(0, 5).Select(_ => distributor.EnqueueAsync("where", null, new EnqueueOptions { NotNode = "vip" }));
Console.WriteLine($"urgent ran on {(await urgent).Args["node"]}");
Console.WriteLine($"routine ran on {string.Join(", ", (await Task.WhenAll(routine)).Select(r => r.Args["node"]))}");

// Deferred and run-at jobs: the times are absolute, kept while the job waits.
var after = distributor.EnqueueAsync("where", null, new EnqueueOptions { After = TimeSpan.FromMilliseconds(700) });
var at = distributor.EnqueueAsync("where", null, new EnqueueOptions { RunAt = DateTimeOffset.UtcNow.AddSeconds(1.5) });
var afterResult = await after;
Console.WriteLine($"{Since()} After 0.7 s ran at {afterResult.Args["at"]}");
var atResult = await at;
Console.WriteLine($"{Since()} RunAt +1.5 s ran at {atResult.Args["at"]}");

// A periodic job: a success feedback per run, until the job cancels itself.
var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
var tick = distributor.Enqueue("tick", new { stop_after = 4 },
    new EnqueueOptions { Period = TimeSpan.FromMilliseconds(300), Node = "bulk" },
    success: a =>
    {
        Console.WriteLine($"{Since()} tick {a["tick"]}");
        if (a.Get<int>("tick") >= 4)
        {
            finished.TrySetResult();
        }
    });
await finished.Task.WaitAsync(TimeSpan.FromMinutes(1));
Console.WriteLine($"periodic job {tick} cancelled itself after 4 runs; cancelling it again: {distributor.Cancel(tick)}");

await vip.StopAsync(TimeSpan.FromSeconds(10));
await bulk.StopAsync(TimeSpan.FromSeconds(10));
