// TypedJobs: a job written as an ordinary .NET class. A node runs in this app's generic host with
// AddReactorNode(...).AddJob<ResizeImages>(...); the job gets a service injected per run, typed args, a
// cancellation token and reports progress, which the app prints as it arrives.
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Reactor;
using TypedJobs;

JR.Run(r => r.StartDistributor("127.0.0.1", 0), NullLoggerFactory.Instance);
await JR.WhenReady;
var address = $"127.0.0.1:{JR.Host.Distributor.Port}";

var builder = Host.CreateApplicationBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddSingleton<IThumbnailer, PretendThumbnailer>();
builder.Services.AddScoped<ResizeAudit>(); // one per job run, disposed when the run ends
builder.Services
    .AddReactorNode(o =>
    {
        o.Name = "images_1";
        o.Distributors.Add(address);
        o.LogJobProcessing = false;
    })
    .AddJob<ResizeImages>("resize_images");
using var host = builder.Build();
await host.StartAsync();
await JR.Host.Distributor.WaitForNodesAsync(1).WaitAsync(TimeSpan.FromMinutes(1));
Console.WriteLine($"distributor on {address}; node images_1 runs resize_images in this process");

// 1. Typed args in, progress while it runs, a typed view of the result.
var files = new[] { "cat.png", "dog.png", "owl.png", "fox.png" };
var result = await JR.EnqueueAsync("resize_images", new ResizeRequest(files, Width: 128),
    progress: new InlineProgress(p => Console.WriteLine($"  progress {p.Fraction:P0} {p.Message}")));
var summary = result.Args.As<ResizeSummary>();
Console.WriteLine($"{result.Outcome}: {summary.Resized} images at {summary.Width}px in {summary.Milliseconds} ms");

// 2. Cancellation: the job's token fires on JR.Cancel, and it stops between two images.
var cancelled = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
var id = "";
id = JR.Enqueue("resize_images", new ResizeRequest([.. Enumerable.Range(1, 50).Select(i => $"frame{i}.png")], 64),
    error: a => cancelled.TrySetResult($"{a["error"]} after {a["resized"]} images"),
    success: _ => cancelled.TrySetResult("finished before the cancel arrived"),
    progress: p =>
    {
        if (p.Fraction >= 0.1)
        {
            JR.Cancel(id);
        }
    });
Console.WriteLine($"cancelled job: {await cancelled.Task.WaitAsync(TimeSpan.FromMinutes(1))}");

await host.StopAsync();
await JR.StopAsync();
return summary.Resized == files.Length ? 0 : 1;

/// <summary>Reports on the delivery thread itself, in order (<see cref="Progress{T}"/> would post to the thread pool).</summary>
internal sealed class InlineProgress(Action<JobProgress> report) : IProgress<JobProgress>
{
    public void Report(JobProgress value) => report(value);
}
