using System.CommandLine;
using Reactor.Cli.Repl;

namespace Reactor.Cli.Commands;

/// <summary>
/// <c>reactor repl</c>: a C# prompt with <c>RedisMonitor</c> connected, as JobReactor's irb session with
/// its RedisMonitor. Exit code 0 at the end of input, 1 when Redis is unreachable.
/// </summary>
internal static class ReplCommand
{
    public static Command Create()
    {
        var redis = RedisConnection.AddressOption();
        var prefix = RedisConnection.PrefixOption();
        var command = new Command("repl", "C# REPL with RedisMonitor connected, e.g. RedisMonitor.JobsFor(\"worker_1\"); #exit or end of input leaves")
        {
            redis, prefix,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var keyPrefix = result.GetValue(prefix)!;
            await using var monitor = await RedisConnection.ConnectAsync("repl", result.GetValue(redis), keyPrefix).ConfigureAwait(false);
            if (monitor is null)
            {
                return 1;
            }
            var session = new ReplSession(new ReplGlobals(monitor), Console.In, Console.Out, Console.Error, interactive: !Console.IsInputRedirected);
            await session.RunAsync(Banner(keyPrefix), cancellationToken).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    private static string Banner(string keyPrefix) =>
        $"Reactor REPL (C#), key prefix '{keyPrefix}'. Try RedisMonitor.JobsFor(\"worker_1\"), RedisMonitor.Load(id), " +
        "RedisMonitor.Failed(node), RedisMonitor.CountsByStatus(node), RedisMonitor.Destroy(id). #exit or Ctrl-D leaves.";
}
