using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Reactor.Cli.Output;

namespace Reactor.Cli.Commands;

// `reactor monitor nodes`: the distributor lives inside the app's process, so the CLI cannot ask it
// directly; a distributor with a Redis journal publishes its snapshot to Redis every 5 s (15 s expiry),
// and this reads it.
internal static partial class MonitorCommand
{
    private static Command Nodes(Context context)
    {
        var name = new Option<string>("--name") { Description = "Distributor name (DistributorOptions.Name)", DefaultValueFactory = _ => "default" };
        var command = new Command("nodes", "Show the nodes, waiting jobs and recent results of a distributor that has a Redis journal") { name };
        command.SetAction((result, cancellationToken) => context.RunAsync(result, "nodes", async monitor =>
        {
            var distributor = result.GetValue(name)!;
            var json = await monitor.ReadStringAsync(DistributorSnapshotJson.Key(result.GetValue(context.Prefix)!, distributor), cancellationToken).ConfigureAwait(false);
            if (json is null)
            {
                await Console.Error.WriteLineAsync(
                    $"reactor monitor nodes: no snapshot of distributor '{JobText.Printable(distributor)}': it is not running, has no Redis journal "
                    + "(DistributorOptions.Redis), uses another --prefix or --name, or has not reached Redis for 15 s").ConfigureAwait(false);
                return 1;
            }
            DistributorSnapshot snapshot;
            try
            {
                snapshot = DistributorSnapshotJson.Deserialize(json);
            }
            catch (JsonException e)
            {
                await Console.Error.WriteLineAsync($"reactor monitor nodes: the snapshot is not readable: {e.Message}").ConfigureAwait(false);
                return 1;
            }
            await Console.Out.WriteAsync(Format(snapshot)).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    internal static string Format(DistributorSnapshot s)
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(c, $"distributor {JobText.Printable(s.Id)} on {s.Endpoint}, snapshot at {s.TakenAt:u}");
        text.AppendLine(c, $"{s.Nodes.Count} nodes, {s.PendingCount} pending, {s.InFlightCount} in flight; "
            + $"since start: {s.Outcomes.Succeeded} succeeded, {s.Outcomes.Failed} failed, {s.Outcomes.Cancelled} cancelled");
        text.AppendLine();
        text.AppendLine(c, $"{"NODE",-20} {"ENDPOINT",-22} {"CREDIT",7} {"IN FLIGHT",9} {"CONNECTED",-20} {"LAST HEARD",-20} JOBS");
        foreach (var n in s.Nodes)
        {
            var jobs = string.Join(",", n.JobNames.Take(8)) + (n.JobNames.Count > 8 ? $",+{n.JobNames.Count - 8}" : "");
            var leaving = n.Accepting ? "" : " (leaving)";
            text.AppendLine(c, $"{JobText.Printable(n.Name) + leaving,-20} {n.Endpoint,-22} {n.Credit,7} {n.InFlight,9} {n.ConnectedSince,-20:u} {n.LastHeartbeat,-20:u} {JobText.Printable(jobs)}");
        }
        if (s.Pending.Count > 0)
        {
            text.AppendLine();
            text.AppendLine(c, $"{"PENDING JOB",-30} {"COUNT",7} {"OLDEST",10} NODE THAT RUNS IT");
            foreach (var p in s.Pending)
            {
                text.AppendLine(c, $"{JobText.Printable(p.Name),-30} {p.Count,7} {p.OldestAge.TotalSeconds,9:0}s {(p.Known ? "connected" : "none")}");
            }
        }
        if (s.RecentResults.Count > 0)
        {
            text.AppendLine();
            text.AppendLine(c, $"{"FINISHED",-20} {"OUTCOME",-9} {"JOB",-30} {"ID",-32} ERROR");
            foreach (var r in s.RecentResults.Take(20))
            {
                text.AppendLine(c, $"{r.FinishedAt,-20:u} {r.Outcome,-9} {JobText.Printable(r.Name),-30} {r.JobId,-32} {JobText.Printable(r.Error ?? "")}");
            }
        }
        return text.ToString();
    }
}
