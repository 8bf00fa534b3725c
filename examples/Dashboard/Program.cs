// Dashboard example: an ASP.NET Core app with an in-process distributor, two `reactor node` processes
// and the dashboard at /reactor, enqueueing a few jobs a second so the pages have something to show.
// With REACTOR_REDIS set (host:port), the nodes keep their records in that Redis and the dashboard
// lists them (failed jobs, retry, delete); without it the nodes use memory storage and the dashboard
// shows nodes, throughput and the distributor's recent results.
using Reactor;
using Reactor.Dashboard;

var redis = Environment.GetEnvironmentVariable("REACTOR_REDIS");
var builder = WebApplication.CreateSlimBuilder(args);
builder.WebHost.UseUrls(builder.Configuration["urls"] ?? "http://127.0.0.1:5080");
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddReactorDashboard();
var app = builder.Build();

JR.Run(r => r.StartDistributor("127.0.0.1", 0, o => o.Redis = redis));
await JR.WhenReady;
var address = $"127.0.0.1:{JR.Host.Distributor.Port}";
var jobs = Path.Combine(AppContext.BaseDirectory, "reactor_jobs");
string[] storage = redis is null ? ["--storage", "memory"] : ["--storage", "redis", "--redis", redis];
await using var first = NodeProcess.Start("worker_1", address, jobs, ["--log-level", "Warning", "--max-attempt", "1", .. storage]);
await using var second = NodeProcess.Start("worker_2", address, jobs, ["--log-level", "Warning", "--max-attempt", "1", .. storage]);

app.MapReactorDashboard("/reactor", o => o.Redis = redis);
await app.StartAsync();
foreach (var url in app.Urls)
{
    Console.WriteLine($"Reactor dashboard: {url}/reactor (Ctrl-C to stop)");
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
long n = 0;
try
{
    while (!stop.IsCancellationRequested)
    {
        n++;
        JR.Enqueue("resize", new { width = 640 + n % 100, height = 480 });
        JR.Enqueue("charge", new { amount = n });
        await Task.Delay(TimeSpan.FromMilliseconds(300), stop.Token);
    }
}
catch (OperationCanceledException)
{
    // Ctrl-C.
}
await app.StopAsync();
await first.StopAsync(TimeSpan.FromSeconds(15));
await second.StopAsync(TimeSpan.FromSeconds(15));
await JR.StopAsync();
