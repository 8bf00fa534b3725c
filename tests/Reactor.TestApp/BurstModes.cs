using System.Diagnostics;
using System.Globalization;
using Reactor;

/// <summary>
/// The application side of the durable-enqueue crash test: an app that is busy on several threads
/// and dies by SIGKILL in the middle of a burst, and the same app (by journal name) restarted.
/// </summary>
internal static class BurstModes
{
    public static async Task<int> RunAsync(string[] args)
    {
        var port = int.Parse(args[1], CultureInfo.InvariantCulture);
        var name = args[0] switch { "burst" => args[5], "steady" => args[4], _ => args[3] };
        await using var host = new ReactorHost();
        var distributor = await host.StartDistributorAsync("127.0.0.1", port, o =>
        {
            o.Redis = args[2];
            o.Name = name;
            // Printed for every delivery, so a duplicate feedback shows as a second line.
            o.OnResult("add", r => Console.WriteLine($"result {r.Args.Get<string>("key")} {r.Outcome}"));
        });
        if (args[0] == "serve")
        {
            Console.WriteLine("ready");
            await Task.Delay(Timeout.Infinite);
            return 0;
        }
        var total = int.Parse(args[3], CultureInfo.InvariantCulture);
        if (args[0] == "steady")
        {
            // One of several app instances sharing Redis and nodes: keys carry the app's name, so a
            // feedback that reached the wrong instance would show as a foreign key in its output.
            for (var i = 0; i < total; i++)
            {
                var key = $"{name}-{i}";
                distributor.Enqueue("add", new { key, a = i, b = 1 }, success: a => Console.WriteLine($"success {a.Get<string>("key")}"));
                Console.WriteLine($"enqueued {key}");
            }
            Console.WriteLine("enqueued all");
            await Task.Delay(Timeout.Infinite);
            return 0;
        }
        var killAt = int.Parse(args[4], CultureInfo.InvariantCulture);
        var returned = 0;
        var busy = new Thread(Allocate) { IsBackground = true };
        busy.Start();
        void Burst(string thread)
        {
            for (var i = 0; i < total / 2; i++)
            {
                var key = $"{name}-{thread}{i}";
                distributor.Enqueue("add", new { key, a = i, b = 1 }, success: a => Console.WriteLine($"success {a.Get<string>("key")}"));
                Console.WriteLine($"enqueued {key}");
                if (Interlocked.Increment(ref returned) == killAt)
                {
                    Process.GetCurrentProcess().Kill(); // SIGKILL: no finally, no flush, no goodbye
                }
            }
        }
        await Task.WhenAll(Task.Run(() => Burst("a")), Task.Run(() => Burst("b")));
        Console.WriteLine("finished without the kill");
        return 1;
    }

    private static void Allocate()
    {
        var keep = new List<byte[]>();
        while (true)
        {
            keep.Add(new byte[64 * 1024]);
            if (keep.Count > 256)
            {
                keep.Clear();
            }
        }
    }
}
