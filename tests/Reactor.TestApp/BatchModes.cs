using System.Globalization;
using Reactor;

/// <summary>
/// The application side of the batch-restart test: an app that enqueues a batch with the journal and is
/// killed mid-batch, and the same app (by journal name) restarted with an <c>OnBatchResult</c> handler.
/// </summary>
internal static class BatchModes
{
    public static async Task<int> RunAsync(string[] args)
    {
        var port = int.Parse(args[1], CultureInfo.InvariantCulture);
        await using var host = new ReactorHost();
        var distributor = await host.StartDistributorAsync("127.0.0.1", port, o =>
        {
            o.Redis = args[2];
            o.Name = args[3];
            if (args.Length > 6)
            {
                o.BatchWindow = int.Parse(args[6], CultureInfo.InvariantCulture);
            }
            // Printed for every call, so a second delivery shows as a second line.
            o.OnBatchResult((id, r) => Console.WriteLine($"handler {id} {r.Total} {r.Succeeded} {r.Failed} {r.Cancelled}"));
        });
        if (args[0] == "batchserve")
        {
            Console.WriteLine("ready");
            // An empty batch's lambda runs on the delivery loop behind whatever the restart posted there.
            distributor.EnqueueMany("sleep", [], onBatchComplete: _ => Console.WriteLine("sentinel"));
            await Task.Delay(Timeout.Infinite);
            return 0;
        }
        var count = int.Parse(args[4], CultureInfo.InvariantCulture);
        var ms = int.Parse(args[5], CultureInfo.InvariantCulture);
        var succeeded = 0;
        var ids = distributor.EnqueueMany("sleep", Enumerable.Range(0, count).Select(i => (object?)new { i, ms }),
            onBatchComplete: r => Console.WriteLine($"lambda {r.Total} {r.Succeeded} {r.Failed} {r.Cancelled}"),
            success: _ =>
            {
                if (++succeeded % 100 == 0)
                {
                    Console.WriteLine($"succeeded {succeeded}");
                }
            });
        Console.WriteLine($"input ended {ids[0]}");
        await Task.Delay(Timeout.Infinite);
        return 0;
    }
}
