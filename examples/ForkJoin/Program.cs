// ForkJoin: an app with an in-process distributor and two `reactor node` processes, one per
// service (orders, billing), loading ./reactor_jobs. Three orders each fork three ways across
// the services; a join ("ship") runs exactly once per order with all three events.
// With REACTOR_REDIS set (host:port) the claims live in Redis; without it, in memory.
using Reactor;

var redis = Environment.GetEnvironmentVariable("REACTOR_REDIS");
var shipped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
var orders = new[] { "A-1", "A-2", "A-3" };
var seen = 0;
JR.Run(r => r.StartDistributor("127.0.0.1", 0, o =>
{
    o.Redis = string.IsNullOrWhiteSpace(redis) ? null : redis;
    // Published tasks have no per-call feedback; handlers by name see their results.
    o.OnResult("orders.ship", result => Console.WriteLine($"ship: {result.Args["summary"]}"));
    o.OnResult("orders.follow_up", result =>
    {
        Console.WriteLine($"follow_up: {result.Args["note"]}");
        if (Interlocked.Increment(ref seen) == orders.Length)
        {
            shipped.SetResult();
        }
    });
    o.OnResult("billing.charge", result => Console.WriteLine($"charge: payment key {result.Args["payment_key"]}"));
}));
await JR.WhenReady;
var address = $"127.0.0.1:{JR.Host.Distributor.Port}";
var jobs = Path.Combine(AppContext.BaseDirectory, "reactor_jobs");
Console.WriteLine($"distributor on {address}; claims in {(redis is null ? "memory" : "Redis at " + redis)}");

string[] quick = ["--log-level", "Warning", "--retry-multiplier", "0.2"];
await using var ordersNode = NodeProcess.Start("orders_1", address, jobs, [.. quick, "--service", "orders"]);
await using var billingNode = NodeProcess.Start("billing_1", address, jobs, [.. quick, "--service", "billing"]);
await JR.Host.Distributor.WaitForNodesAsync(2).WaitAsync(TimeSpan.FromMinutes(2));

foreach (var order in orders)
{
    var run = JR.Publish("orders.checkout", new { order });
    Console.WriteLine($"order {order}: run {run}");
}

var finished = await Task.WhenAny(shipped.Task, Task.Delay(TimeSpan.FromMinutes(1)));
await ordersNode.StopAsync(TimeSpan.FromSeconds(15));
await billingNode.StopAsync(TimeSpan.FromSeconds(15));
await JR.StopAsync();
if (finished != shipped.Task)
{
    Console.Error.WriteLine($"only {seen} of {orders.Length} orders were followed up");
    return 1;
}
return 0;
