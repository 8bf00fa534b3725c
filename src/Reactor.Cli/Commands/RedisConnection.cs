using System.CommandLine;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Reactor.Cli.Commands;

/// <summary>The <c>--redis</c> and <c>--prefix</c> options of the commands that read job records, and connecting with them.</summary>
internal static class RedisConnection
{
    /// <summary>Environment variable read when <c>--redis</c> is not given.</summary>
    public const string AddressVariable = "REACTOR_REDIS";

    /// <summary>Address used when neither <c>--redis</c> nor <see cref="AddressVariable"/> is set.</summary>
    public const string DefaultAddress = "127.0.0.1:6379";

    // No DefaultValueFactory: help would print the resolved default, and an address from the
    // environment may hold a password.
    public static Option<string?> AddressOption() => new("--redis")
    {
        Description = $"Redis address, host:port[,password=...] or redis://[:password@]host:port[/db] (default: env {AddressVariable}, else {DefaultAddress})",
    };

    public static Option<string> PrefixOption() => new("--prefix")
    {
        Description = "Key prefix the nodes store their jobs under",
        DefaultValueFactory = _ => "reactor",
    };

    public static string ResolveAddress(string? address) =>
        !string.IsNullOrWhiteSpace(address) ? address
        : Environment.GetEnvironmentVariable(AddressVariable) is { Length: > 0 } configured ? configured
        : DefaultAddress;

    /// <summary>Connects, or writes one line saying why not to stderr and returns null.</summary>
    public static async Task<RedisMonitor?> ConnectAsync(string command, string? address, string prefix)
    {
        try
        {
            return await RedisMonitor.ConnectAsync(ResolveAddress(address), prefix, new StderrLogger(command)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // The store's messages already name the endpoint (never the password) and the likely cause.
            await FailAsync(command, e).ConfigureAwait(false);
            return null;
        }
    }

    /// <summary>True for the failures of a Redis that answered once and then stopped.</summary>
    public static bool IsRedisFailure(Exception e) => e is RedisException or TimeoutException;

    public static Task FailAsync(string command, Exception e) =>
        Console.Error.WriteLineAsync($"reactor {command}: {OneLine(Message(e))}");

    // "(Parameter 'address')" speaks to a programmer; the person at the shell typed --redis.
    private static string Message(Exception e) =>
        e is ArgumentException { ParamName: { } name } ? e.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : e.Message;

    // A stack trace or a multi-line server reply must not turn an error into a wall of text.
    private static string OneLine(string message) => string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries));

    /// <summary>
    /// Reports records the store skips (damaged, written by a newer version) on stderr, synchronously, so
    /// nothing is lost when the command exits right after.
    /// </summary>
    private sealed class StderrLogger(string command) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                Console.Error.WriteLine($"reactor {command}: {logLevel.ToString().ToLowerInvariant()}: {OneLine(formatter(state, exception))}");
            }
        }
    }
}
