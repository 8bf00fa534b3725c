// The application side of the fault tests, run as a child process so it can be killed with SIGKILL.
//   enqueue PORT REDIS COUNT JOB MS   enqueue COUNT jobs; print "enqueued ID" each, then "ready"; wait to be killed
//   recover PORT REDIS COUNT          print "result ID OUTCOME" per final result of a job from before the
//                                     restart; then "done" after COUNT results (or "timeout" after 90 s)
//   lookup  PORT REDIS ID...          print "stored ID OUTCOME" for each result readable from the journal
//   held    PORT REDIS COUNT JOB MS DIR   like enqueue (args also carry DIR), then "held N" once the node holds N jobs
//   burst   PORT REDIS TOTAL KILLAT NAME  enqueue "add" jobs from two threads while a third allocates;
//                                     print "enqueued KEY" after each Enqueue returned and "success KEY" per
//                                     feedback ("result KEY OUTCOME" from OnResult); SIGKILL itself right after the KILLAT-th Enqueue returned
//   serve   PORT REDIS NAME           print "result KEY OUTCOME" per recovered result; run until killed
//   unique  PORT REDIS NAME KEY COUNT DIR  race on one unique key (see UniqueModes)
//   limit   PORT REDIS NAME PREFIX COUNT CONCURRENCY PERSECOND MS TTL_S  share Limit("span") through Redis (see LimitModes)
//   steady  PORT REDIS TOTAL NAME     enqueue TOTAL "add" jobs keyed NAME-i ("enqueued KEY", "success KEY"),
//                                     then "all enqueued"; run until killed
//   batch   PORT REDIS NAME COUNT MS [WINDOW]  EnqueueMany COUNT "sleep" jobs ("input ended FIRSTID", "succeeded N" per 100,
//                                     "lambda T S F C" from onBatchComplete); run until killed
//   batchserve PORT REDIS NAME        print "handler ID T S F C" per OnBatchResult, "ready", then "sentinel"; run until killed
using System.Collections.Concurrent;
using System.Globalization;
using Reactor;

if (args[0].StartsWith("wf", StringComparison.Ordinal))
{
    return await WorkflowModes.RunAsync(args);
}
if (args[0] == "limit")
{
    return await LimitModes.RunAsync(args);
}
if (args[0] == "unique")
{
    return await UniqueModes.RunAsync(args);
}
if (args[0] is "batch" or "batchserve")
{
    return await BatchModes.RunAsync(args);
}
if (args[0] is "burst" or "serve" or "steady")
{
    return await BurstModes.RunAsync(args);
}
var mode = args[0];
var port = int.Parse(args[1], CultureInfo.InvariantCulture);
var count = args.Length > 3 && mode != "lookup" ? int.Parse(args[3], CultureInfo.InvariantCulture) : 0;
var results = new ConcurrentDictionary<string, int>();
var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
await using var host = new ReactorHost();
var distributor = await host.StartDistributorAsync("127.0.0.1", port, o =>
{
    o.Redis = args[2];
    o.Name = "fault-app";
    foreach (var job in new[] { "sleep", "sleep_mark", "add", "node_name" })
    {
        o.OnResult(job, r =>
        {
            // Printed for every delivery, so a duplicate feedback would show as a second line.
            Console.WriteLine($"result {r.JobId} {r.Outcome}");
            if (results.AddOrUpdate(r.JobId, 1, (_, n) => n + 1) == 1 && results.Count >= count)
            {
                enough.TrySetResult();
            }
        });
    }
});
switch (mode)
{
    case "enqueue":
        for (var i = 0; i < count; i++)
        {
            Console.WriteLine($"enqueued {distributor.Enqueue(args[4], new { i, ms = int.Parse(args[5], CultureInfo.InvariantCulture) })}");
        }
        Console.WriteLine("ready");
        await Task.Delay(Timeout.Infinite);
        break;
    case "held":
        for (var i = 0; i < count; i++)
        {
            var job = new { i, ms = int.Parse(args[5], CultureInfo.InvariantCulture), dir = args[6] };
            Console.WriteLine($"enqueued {distributor.Enqueue(args[4], job)}");
        }
        // The node holds jobs once they are in flight; the test kills this process after this line.
        while (distributor.InFlightCount == 0)
        {
            await Task.Delay(10);
        }
        Console.WriteLine($"held {distributor.InFlightCount}");
        await Task.Delay(Timeout.Infinite);
        break;
    case "recover":
        var finished = await Task.WhenAny(enough.Task, Task.Delay(TimeSpan.FromSeconds(90)));
        await Task.Delay(1000); // a duplicate delivery would arrive within this
        Console.WriteLine(finished == enough.Task ? "done" : "timeout");
        break;
    case "lookup":
        foreach (var id in args.Skip(3))
        {
            if (await distributor.GetResultAsync(id) is { } result)
            {
                Console.WriteLine($"stored {id} {result.Outcome}");
            }
        }
        break;
}
return 0;
