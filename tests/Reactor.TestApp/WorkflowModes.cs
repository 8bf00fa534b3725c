using System.Globalization;
using Reactor;

/// <summary>
/// The application side of the workflow crash test:
///   wfstart  PORT REDIS DEFS PAYLOAD_MARKER   start workflow "crash-chain"; print "started ID"; wait to be killed
///   wfresume PORT REDIS DEFS ID               resume after a crash; print "history TYPE STEP" for each
///                                             recorded transition, then "finished STATUS", when ID ends
/// Both run a durable distributor and an engine named "crash-engine" on the same Redis.
/// </summary>
internal static class WorkflowModes
{
    public static async Task<int> RunAsync(string[] args)
    {
        var port = int.Parse(args[1], CultureInfo.InvariantCulture);
        await using var host = new ReactorHost();
        await host.StartDistributorAsync("127.0.0.1", port, o =>
        {
            o.Redis = args[2];
            o.Name = "crash-app";
        });
        var engine = await host.StartWorkflowsAsync(o =>
        {
            o.DefinitionsDirectory = args[3];
            o.Redis = args[2];
            o.EngineName = "crash-engine";
            o.SweepInterval = TimeSpan.FromMilliseconds(500);
            // Short, so another engine adopts this one's workflows soon after it was killed.
            o.LeaseTtl = TimeSpan.FromSeconds(2);
        });
        if (args[0] == "wfstart")
        {
            var id = await engine.StartWorkflowAsync("crash-chain", new { marker = args[4] });
            Console.WriteLine($"started {id}");
            await Task.Delay(Timeout.Infinite);
        }
        var result = await engine.WaitForWorkflowAsync(args[4]).WaitAsync(TimeSpan.FromSeconds(90));
        foreach (var transition in await engine.HistoryAsync(args[4]))
        {
            Console.WriteLine($"history {transition.Type} {transition.Step}");
        }
        Console.WriteLine($"finished {result.Status}");
        await host.StopWorkflowsAsync();
        return 0;
    }
}
