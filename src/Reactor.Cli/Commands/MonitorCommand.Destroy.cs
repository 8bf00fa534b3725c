using System.CommandLine;
using Reactor.Cli.Output;

namespace Reactor.Cli.Commands;

internal static partial class MonitorCommand
{
    private static Command Destroy(Context context)
    {
        var id = new Argument<string>("id") { Description = "Job id" };
        var yes = YesOption();
        var command = new Command("destroy", "Remove one job's record (a node running it finishes that attempt, but never retries it)") { id, yes };
        command.SetAction((result, cancellationToken) => context.RunAsync(result, "destroy", async monitor =>
        {
            var jobId = result.GetValue(id)!;
            if (!result.GetValue(yes))
            {
                var job = await monitor.LoadAsync(jobId, cancellationToken).ConfigureAwait(false);
                if (job is null)
                {
                    return await NoJobAsync(jobId).ConfigureAwait(false);
                }
                var question = $"Remove job {JobText.Printable(job.Id)} ({JobText.Printable(job.Name)}, {JobText.Status(job.Status)}, node {JobText.Printable(job.Node)})?";
                if (await ConfirmAsync("destroy", question, cancellationToken).ConfigureAwait(false) is { } refused)
                {
                    return refused;
                }
            }
            if (!await monitor.DestroyAsync(jobId, cancellationToken).ConfigureAwait(false))
            {
                return await NoJobAsync(jobId).ConfigureAwait(false);
            }
            await Console.Out.WriteLineAsync($"removed job {JobText.Printable(jobId)}").ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    private static Command DestroyAll(Context context)
    {
        var node = NodeOption();
        var yes = YesOption();
        var command = new Command("destroy-all", "Remove every job record of a node") { node, yes };
        command.SetAction((result, cancellationToken) => context.RunAsync(result, "destroy-all", async monitor =>
        {
            var nodeName = result.GetValue(node)!;
            if (!result.GetValue(yes))
            {
                var jobs = await monitor.JobsForAsync(nodeName, cancellationToken).ConfigureAwait(false);
                if (jobs.Count == 0)
                {
                    await Console.Out.WriteLineAsync($"node {JobText.Printable(nodeName)} has no jobs").ConfigureAwait(false);
                    return 0;
                }
                var question = $"Remove all {jobs.Count} job(s) of node {JobText.Printable(nodeName)} ({JobText.Counts(jobs)})?";
                if (await ConfirmAsync("destroy-all", question, cancellationToken).ConfigureAwait(false) is { } refused)
                {
                    return refused;
                }
            }
            var removed = await monitor.DestroyAllJobsForAsync(nodeName, cancellationToken).ConfigureAwait(false);
            await Console.Out.WriteLineAsync($"removed {removed} job(s) of node {JobText.Printable(nodeName)}").ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    private static Option<bool> YesOption() => new("--yes", "-y") { Description = "Remove without asking" };

    /// <summary>
    /// Asks on the terminal; null when the answer is yes, else the exit code. Without a terminal there is
    /// no one to ask, and a script that forgot <c>--yes</c> must not remove anything.
    /// </summary>
    private static async Task<int?> ConfirmAsync(string name, string question, CancellationToken cancellationToken)
    {
        if (Console.IsInputRedirected)
        {
            await Console.Error.WriteLineAsync($"reactor monitor {name}: nothing removed; pass --yes to confirm (stdin is not a terminal, so there is no one to ask)").ConfigureAwait(false);
            return 2;
        }
        await Console.Error.WriteAsync(question + " [y/N] ").ConfigureAwait(false);
        var answer = (await Console.In.ReadLineAsync(cancellationToken).ConfigureAwait(false))?.Trim();
        if (string.Equals(answer, "y", StringComparison.OrdinalIgnoreCase) || string.Equals(answer, "yes", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        await Console.Error.WriteLineAsync("nothing removed").ConfigureAwait(false);
        return 2;
    }
}
