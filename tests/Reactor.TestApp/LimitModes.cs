using System.Globalization;
using Reactor;

/// <summary>
/// One of several applications sharing a <c>DistributorOptions.Limit</c> through Redis:
/// <c>limit PORT REDIS NAME PREFIX COUNT CONCURRENCY PERSECOND MS TTL_S</c> starts a distributor with
/// <c>Limit("span", CONCURRENCY, PERSECOND)</c> (0 = not set) and <c>LimitLeaseTtl</c> TTL_S, waits for a
/// node, enqueues COUNT "span" jobs of MS ms, prints <c>span START STOP PID</c> per success and
/// <c>inflight N</c> each time the jobs on nodes change, then runs until killed.
/// </summary>
internal static class LimitModes
{
    public static async Task<int> RunAsync(string[] args)
    {
        var port = int.Parse(args[1], CultureInfo.InvariantCulture);
        var count = int.Parse(args[5], CultureInfo.InvariantCulture);
        var concurrency = int.Parse(args[6], CultureInfo.InvariantCulture);
        var perSecond = double.Parse(args[7], CultureInfo.InvariantCulture);
        var ms = int.Parse(args[8], CultureInfo.InvariantCulture);
        await using var host = new ReactorHost();
        var distributor = await host.StartDistributorAsync("127.0.0.1", port, o =>
        {
            o.Redis = args[2];
            o.Name = args[3];
            o.KeyPrefix = args[4];
            o.LimitLeaseTtl = TimeSpan.FromSeconds(double.Parse(args[9], CultureInfo.InvariantCulture));
            o.Limit("span", concurrency > 0 ? concurrency : null, perSecond > 0 ? perSecond : null);
        });
        await distributor.WaitForNodesAsync(1);
        Console.WriteLine("ready");
        for (var i = 0; i < count; i++)
        {
            distributor.Enqueue("span", new { ms }, success: a =>
                Console.WriteLine($"span {a.Get<long>("start")} {a.Get<long>("stop")} {a.Get<long>("pid")}"));
        }
        var last = -1;
        while (true)
        {
            var inFlight = distributor.InFlightCount;
            if (inFlight != last)
            {
                Console.WriteLine($"inflight {inFlight}");
                last = inFlight;
            }
            await Task.Delay(20);
        }
    }
}
