// QuickStart: an app with an in-process distributor and one `reactor node` process that loads
// ./reactor_jobs. It enqueues a few jobs and prints one line per feedback.
using Reactor;

JR.Run(r => r.StartDistributor("127.0.0.1", 0)); // port 0: any free port
await JR.WhenReady;
var address = $"127.0.0.1:{JR.Host.Distributor.Port}";
var jobs = Path.Combine(AppContext.BaseDirectory, "reactor_jobs");

await using var node = NodeProcess.Start("worker_1", address, jobs, "--log-level", "Warning");
Console.WriteLine($"distributor on {address}; starting node worker_1 with jobs from {jobs}");
await JR.Host.Distributor.WaitForNodesAsync(1).WaitAsync(TimeSpan.FromMinutes(2));

var expected = 5;
var received = 0;
var allDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
void Print(string line)
{
    Console.WriteLine(line);
    if (Interlocked.Increment(ref received) == expected)
    {
        allDone.SetResult();
    }
}

JR.Enqueue("greet", new { name = "Ada" },
    success: a => Print($"success greet: {a["greeting"]}"));
JR.Enqueue("add", new { a = 2, b = 3 },
    success: a => Print($"success add: sum={a["sum"]} doubled={a["doubled"]}"));
JR.Enqueue("fetch", new { page = 7 },
    success: a => Print($"success fetch: {a["fetched"]}"));
JR.Enqueue("greet", new { name = "later" }, new EnqueueOptions { After = TimeSpan.FromMilliseconds(500) },
    success: a => Print($"success greet (deferred 0.5 s): {a["greeting"]}"));
JR.Enqueue("divide", new { a = 1, b = 0 },
    new EnqueueOptions { MaxAttempt = 2, RetryMultiplier = TimeSpan.FromMilliseconds(100) },
    error: a => Print($"error divide: {a["error"]} ({a["hint"]})"));

var finished = await Task.WhenAny(allDone.Task, Task.Delay(TimeSpan.FromMinutes(1)));
await node.StopAsync(TimeSpan.FromSeconds(15));
await JR.StopAsync();
if (finished != allDone.Task)
{
    Console.Error.WriteLine($"only {received} of {expected} feedbacks arrived");
    return 1;
}
return 0;
