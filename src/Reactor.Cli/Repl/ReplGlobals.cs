namespace Reactor.Cli.Repl;

/// <summary>
/// What REPL input sees as top-level names. Public because the assemblies Roslyn emits for each
/// submission read it; nothing else in the CLI is public.
/// </summary>
public sealed class ReplGlobals
{
    internal ReplGlobals(RedisMonitor redisMonitor) => RedisMonitor = redisMonitor;

    /// <summary>
    /// Named after its type so that <c>RedisMonitor.JobsFor("worker_1")</c> reads the connected instance
    /// while <c>RedisMonitor.FormatTable(...)</c> still reaches the static member (C#'s "Color Color" rule).
    /// </summary>
    public RedisMonitor RedisMonitor { get; }
}
