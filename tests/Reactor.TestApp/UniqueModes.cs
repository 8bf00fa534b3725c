using System.Collections.Concurrent;
using System.Globalization;
using Reactor;

/// <summary>
/// One of two applications racing on one unique key through a shared Redis:
/// <c>unique PORT REDIS NAME KEY COUNT DIR</c> starts a distributor, waits for a node and for the file
/// DIR/go, enqueues "resume_hold" COUNT times with UniqueKey KEY from four threads, prints
/// <c>ids N ID...</c> (the distinct ids Enqueue returned), then one <c>success ID</c> per feedback, and
/// <c>feedbacks N</c> once N == COUNT or 5 s after DIR/release appeared; then runs until killed.
/// </summary>
internal static class UniqueModes
{
    public static async Task<int> RunAsync(string[] args)
    {
        var port = int.Parse(args[1], CultureInfo.InvariantCulture);
        var (key, count, dir) = (args[4], int.Parse(args[5], CultureInfo.InvariantCulture), args[6]);
        await using var host = new ReactorHost();
        var distributor = await host.StartDistributorAsync("127.0.0.1", port, o =>
        {
            o.Redis = args[2];
            o.Name = args[3];
        });
        Console.WriteLine("listening");
        await distributor.WaitForNodesAsync(1);
        while (!File.Exists(Path.Combine(dir, "go")))
        {
            await Task.Delay(5);
        }
        var ids = new ConcurrentDictionary<string, int>();
        var feedbacks = 0;
        var options = new EnqueueOptions { UniqueKey = key };
        var threads = Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            for (var i = t; i < count; i += 4)
            {
                var id = distributor.Enqueue("resume_hold", new { dir, key = "race" }, options,
                    success: a => Interlocked.Increment(ref feedbacks));
                ids.AddOrUpdate(id, 1, (_, n) => n + 1);
            }
        })).ToArray();
        await Task.WhenAll(threads);
        Console.WriteLine($"ids {ids.Count} {string.Join(' ', ids.Keys)}");
        DateTime? released = null;
        while (Volatile.Read(ref feedbacks) < count && (released is null || DateTime.UtcNow < released.Value.AddSeconds(5)))
        {
            released ??= File.Exists(Path.Combine(dir, "release")) ? DateTime.UtcNow : null;
            await Task.Delay(20);
        }
        await Task.Delay(500); // a feedback run twice would land within this
        Console.WriteLine($"feedbacks {Volatile.Read(ref feedbacks)}");
        await Task.Delay(Timeout.Infinite);
        return 0;
    }
}
