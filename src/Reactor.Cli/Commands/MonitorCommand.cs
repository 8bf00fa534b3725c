using System.CommandLine;
using Reactor.Cli.Output;

namespace Reactor.Cli.Commands;

/// <summary>
/// <c>reactor monitor</c>: reads and removes the job records nodes keep in Redis, without a node
/// running. Exit codes: 0 done, 1 not found or Redis failed, 2 a removal was not confirmed.
/// </summary>
internal static partial class MonitorCommand
{
    public static Command Create()
    {
        // Recursive, so they can be given before or after the subcommand name.
        var redis = RedisConnection.AddressOption();
        redis.Recursive = true;
        var prefix = RedisConnection.PrefixOption();
        prefix.Recursive = true;
        var context = new Context(redis, prefix);
        return new Command("monitor", "Inspect and clean up the jobs nodes keep in Redis")
        {
            redis, prefix, Jobs(context), Show(context), Nodes(context), Failed(context), Destroy(context), DestroyAll(context),
        };
    }

    private static Command Jobs(Context context)
    {
        var node = NodeOption();
        var command = new Command("jobs", "List a node's jobs and count them by status") { node };
        command.SetAction((result, cancellationToken) => context.RunAsync(result, "jobs", async monitor =>
        {
            var jobs = await monitor.JobsForAsync(result.GetValue(node)!, cancellationToken).ConfigureAwait(false);
            await Console.Out.WriteAsync(RedisMonitor.FormatTable(jobs)).ConfigureAwait(false);
            await Console.Out.WriteLineAsync(JobText.Counts(jobs)).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    private static Command Show(Context context)
    {
        var id = new Argument<string>("id") { Description = "Job id" };
        var command = new Command("show", "Print every field of one job, args included") { id };
        command.SetAction((result, cancellationToken) => context.RunAsync(result, "show", async monitor =>
        {
            var job = await monitor.LoadAsync(result.GetValue(id)!, cancellationToken).ConfigureAwait(false);
            if (job is null)
            {
                return await NoJobAsync(result.GetValue(id)!).ConfigureAwait(false);
            }
            await Console.Out.WriteAsync(JobText.Fields(job)).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    private static Command Failed(Context context)
    {
        var node = NodeOption();
        var command = new Command("failed", "List a node's failed jobs, most recent first, with their errors") { node };
        command.SetAction((result, cancellationToken) => context.RunAsync(result, "failed", async monitor =>
        {
            var failed = await monitor.FailedAsync(result.GetValue(node)!, cancellationToken).ConfigureAwait(false);
            await Console.Out.WriteAsync(RedisMonitor.FormatTable(failed)).ConfigureAwait(false);
            if (failed.Count > 0)
            {
                await Console.Out.WriteAsync("\n" + JobText.Failures(failed)).ConfigureAwait(false);
            }
            return 0;
        }));
        return command;
    }

    private static Option<string> NodeOption() => new("--node") { Description = "Node name", Required = true };

    private static async Task<int> NoJobAsync(string id)
    {
        await Console.Error.WriteLineAsync($"no job {JobText.Printable(id)}").ConfigureAwait(false);
        return 1;
    }

    /// <summary>The shared options and what every subcommand does around its own work.</summary>
    private sealed record Context(Option<string?> Redis, Option<string> Prefix)
    {
        /// <summary>
        /// Connects, runs <paramref name="body"/> and disconnects. Redis failing at any point is one line on
        /// stderr and exit code 1: an operator needs the cause, not a stack trace.
        /// </summary>
        public async Task<int> RunAsync(ParseResult result, string name, Func<RedisMonitor, Task<int>> body)
        {
            var command = "monitor " + name;
            await using var monitor = await RedisConnection.ConnectAsync(command, result.GetValue(Redis), result.GetValue(Prefix)!).ConfigureAwait(false);
            if (monitor is null)
            {
                return 1;
            }
            try
            {
                return await body(monitor).ConfigureAwait(false);
            }
            catch (Exception e) when (RedisConnection.IsRedisFailure(e))
            {
                await RedisConnection.FailAsync(command, e).ConfigureAwait(false);
                return 1;
            }
        }
    }
}
