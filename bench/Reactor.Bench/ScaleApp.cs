using System.Diagnostics;
using System.Globalization;

namespace Reactor.Bench;

/// <summary>
/// One application process of the scale scenario (<c>Reactor.Bench scale-app ...</c>, started by
/// <see cref="ScaleScenario"/>): a distributor with a durable Redis journal that announces itself
/// for discovery, waits for the node processes to join, warms up, says <c>ready</c>, and on
/// <c>go</c> runs its share of jobs through a fixed number of concurrent <c>EnqueueAsync</c> loops
/// (a closed loop), timing each job from the call to its result. It writes the latencies to a file
/// and a <c>done</c> line with its start, end and CPU, then stops gracefully when stdin closes.
/// </summary>
internal static class ScaleApp
{
    public const string Role = "scale-app";

    public static async Task<int> RunAsync(string[] args)
    {
        string Arg(string name) => args[Array.IndexOf(args, name) + 1];
        var redis = Arg("--redis");
        var prefix = Arg("--prefix");
        var name = Arg("--name");
        var nodes = int.Parse(Arg("--nodes"), CultureInfo.InvariantCulture);
        var jobs = int.Parse(Arg("--jobs"), CultureInfo.InvariantCulture);
        var inflight = int.Parse(Arg("--inflight"), CultureInfo.InvariantCulture);
        var samplesPath = Arg("--samples");

        await using var host = new ReactorHost();
        var distributor = await host.StartDistributorAsync("127.0.0.1", 0, o =>
        {
            o.Redis = redis;
            o.KeyPrefix = prefix;
            o.Name = name;
            o.DurableEnqueue = true;
            o.Announce = true;
        });
        await distributor.WaitForNodesAsync(nodes).WaitAsync(TimeSpan.FromMinutes(3));
        await RunLoopsAsync(distributor, Math.Min(2_000, jobs), inflight, null);
        Console.WriteLine("ready");
        if (await Console.In.ReadLineAsync() != "go")
        {
            return 1;
        }
        var samples = new long[jobs];
        var cpu = Environment.CpuUsage.TotalTime;
        var start = DateTime.UtcNow.Ticks;
        await RunLoopsAsync(distributor, jobs, inflight, samples);
        var end = DateTime.UtcNow.Ticks;
        cpu = Environment.CpuUsage.TotalTime - cpu;
        await using (var file = File.Create(samplesPath))
        await using (var writer = new BinaryWriter(file))
        {
            foreach (var sample in samples)
            {
                writer.Write(sample);
            }
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"done {start} {end} {cpu.Ticks}"));
        await Console.In.ReadLineAsync(); // stdin closed: stop (withdraws the announcement)
        return 0;
    }

    /// <summary><paramref name="inflight"/> loops share <paramref name="jobs"/> jobs, each waiting for one job's result before the next.</summary>
    private static async Task RunLoopsAsync(ReactorDistributor distributor, int jobs, int inflight, long[]? samples)
    {
        var next = -1;
        var loops = Enumerable.Range(0, Math.Min(inflight, jobs)).Select(_ => Task.Run(async () =>
        {
            for (int i; (i = Interlocked.Increment(ref next)) < jobs;)
            {
                var begin = Stopwatch.GetTimestamp();
                var result = await distributor.EnqueueAsync("noop");
                if (!result.Succeeded)
                {
                    throw new InvalidOperationException("a noop job failed: " + result.Error);
                }
                if (samples is not null)
                {
                    samples[i] = (long)Stopwatch.GetElapsedTime(begin).TotalMicroseconds;
                }
            }
        }));
        await Task.WhenAll(loops).WaitAsync(TimeSpan.FromMinutes(10));
    }
}
