// The smallest app that enqueues: a distributor in-process, jobs run by `reactor node` processes elsewhere.
using Reactor;

JR.Run(r => r.StartDistributor("127.0.0.1", 0));
await JR.WhenReady;
Console.WriteLine($"distributor on 127.0.0.1:{JR.Host.Distributor.Port}");
var result = await JR.EnqueueAsync("noop", options: new EnqueueOptions { Timeout = TimeSpan.FromSeconds(1) });
Console.WriteLine($"noop: {result.Outcome}");
await JR.StopAsync();
