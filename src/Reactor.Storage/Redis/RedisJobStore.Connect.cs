using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Reactor.Storage.Redis;

public sealed partial class RedisJobStore
{
    /// <summary>
    /// Connects to <paramref name="address"/> (see <see cref="RedisAddress"/> for the forms) and returns a
    /// store that owns the connection. Fails with <see cref="InvalidOperationException"/> ("Redis at
    /// host:port is unreachable: ...", wrapping the <see cref="RedisConnectionException"/>) when Redis
    /// does not answer within <see cref="RedisJobStoreOptions.ConnectTimeout"/> or refuses the
    /// credentials; whether to try again is the caller's decision. Once connected, a lost connection is
    /// re-established in the background and operations meanwhile fail or wait as StackExchange.Redis decides.
    /// </summary>
    public static async Task<RedisJobStore> ConnectAsync(
        string address,
        RedisJobStoreOptions? options = null,
        ILogger? logger = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new RedisJobStoreOptions();
        RedisJobStoreOptionsValidator.ThrowIfInvalid(options);
        var config = RedisAddress.Parse(address, options.ConnectTimeout);
        var redis = await ConnectMultiplexerAsync(config, cancellationToken).ConfigureAwait(false);
        return new RedisJobStore(redis, options, logger, timeProvider: null, ownsConnection: true);
    }

    /// <summary>
    /// Connects a multiplexer to <paramref name="config"/> the way <see cref="ConnectAsync"/> does (one
    /// attempt within its connect timeout, then one PING), with the same errors; for components that keep
    /// their own keys on the store's Redis (the distributor's journal).
    /// </summary>
    public static async Task<ConnectionMultiplexer> ConnectMultiplexerAsync(ConfigurationOptions config, CancellationToken cancellationToken)
    {
        var endpoint = RedisAddress.Describe(config);
        var timeout = TimeSpan.FromMilliseconds(config.ConnectTimeout);
        // Failing the first connect outright gives an exception that says why (refused, timed out,
        // wrong password). Once connected, the multiplexer re-establishes lost connections itself
        // whatever this flag says.
        var firstConnect = config.Clone();
        firstConnect.AbortOnConnectFail = true;
        // One attempt, so the caller's timeout is the time it waits.
        firstConnect.ConnectRetry = 1;
        var connecting = ConnectionMultiplexer.ConnectAsync(firstConnect);
        ConnectionMultiplexer redis;
        try
        {
            redis = await connecting.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _ = connecting.ContinueWith(static t => t.Result.Dispose(), CancellationToken.None,
                TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            throw;
        }
        catch (RedisConnectionException e)
        {
            throw Unreachable(endpoint, timeout, e);
        }
        try
        {
            // A completed handshake does not yet mean commands are served (a server still loading its
            // dataset answers LOADING); one PING proves they are.
            await redis.GetDatabase().PingAsync()
                .WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            return redis;
        }
        catch (Exception e)
        {
            await redis.DisposeAsync().ConfigureAwait(false);
            throw e is RedisException or TimeoutException ? Unreachable(endpoint, timeout, e) : e;
        }
    }

    private static InvalidOperationException Unreachable(string endpoint, TimeSpan timeout, Exception e)
    {
        var reason = e switch
        {
            RedisConnectionException { FailureType: ConnectionFailureType.AuthenticationFailure } =>
                "authentication failed; check the password (and user) in the address",
            RedisConnectionException c => $"no connection within {timeout.TotalSeconds:0.###} s ({c.FailureType}" +
                (c.InnerException is { } inner ? $": {inner.Message}" : "") + "); check the host, the port and that Redis is running",
            TimeoutException => $"no answer to PING within {timeout.TotalSeconds:0.###} s",
            _ => e.Message,
        };
        return new InvalidOperationException($"Redis at {endpoint} is unreachable: {reason}", e);
    }
}
