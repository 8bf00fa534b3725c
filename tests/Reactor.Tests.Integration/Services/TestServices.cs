namespace Reactor.Tests.Integration.Services;

/// <summary>
/// Addresses of the real services the integration tests use. <c>./test.sh</c> starts them and sets
/// the environment variables; where a Docker engine is reachable, Testcontainers starts them instead
/// (see <see cref="ContainerServices"/>). A test that cannot get its service fails with a message
/// saying how to get it: CI never skips.
/// </summary>
internal static class TestServices
{
    /// <summary>Environment variable with the Redis address, as <c>host:port</c>.</summary>
    public const string RedisVariable = "REACTOR_TEST_REDIS";

    /// <summary>Environment variable with the RabbitMQ address, as <c>amqp://user:pass@host:port/</c>.</summary>
    public const string RabbitMqVariable = "REACTOR_TEST_RABBITMQ";

    /// <summary>
    /// Environment variable with the seeds of a running Redis Cluster (<c>host:port,host:port,...</c>);
    /// unset, the first test that needs a cluster starts one (<see cref="RedisClusterProcess"/>).
    /// </summary>
    public const string RedisClusterVariable = "REACTOR_TEST_REDIS_CLUSTER";

    /// <summary>The backend name of a single Redis server, for fixtures run once per backend.</summary>
    public const string SingleRedis = "single";

    /// <summary>The backend name of a Redis Cluster, for fixtures run once per backend.</summary>
    public const string ClusterRedis = "cluster";

    private static readonly Lazy<Task<RedisClusterProcess>> OwnCluster = new(RedisClusterProcess.StartAsync);

    private static readonly Lazy<Task<string>> Redis = new(() => ResolveAsync(RedisVariable, ContainerServices.StartRedisAsync, "Redis"));
    private static readonly Lazy<Task<string>> RabbitMq = new(() => ResolveAsync(RabbitMqVariable, ContainerServices.StartRabbitMqAsync, "RabbitMQ"));

    /// <summary>The Redis address (<c>host:port</c>).</summary>
    public static Task<string> RedisAsync() => Redis.Value;

    /// <summary>The seeds of a Redis Cluster (three masters with a replica each).</summary>
    public static async Task<string> RedisClusterAsync()
    {
        var configured = Environment.GetEnvironmentVariable(RedisClusterVariable);
        return !string.IsNullOrWhiteSpace(configured) ? configured : (await OwnCluster.Value.ConfigureAwait(false)).Address;
    }

    /// <summary>The address of <paramref name="backend"/> (<see cref="SingleRedis"/> or <see cref="ClusterRedis"/>).</summary>
    public static Task<string> RedisAsync(string backend) => backend switch
    {
        SingleRedis => RedisAsync(),
        ClusterRedis => RedisClusterAsync(),
        _ => throw new ArgumentException($"unknown Redis backend '{backend}'", nameof(backend)),
    };

    /// <summary>Stops the cluster this run started, if any.</summary>
    internal static async Task StopOwnServicesAsync()
    {
        if (OwnCluster.IsValueCreated && OwnCluster.Value.IsCompletedSuccessfully)
        {
            await OwnCluster.Value.Result.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The RabbitMQ URI (<c>amqp://guest:guest@host:port/</c>).</summary>
    public static Task<string> RabbitMqAsync() => RabbitMq.Value;

    private static async Task<string> ResolveAsync(string variable, Func<Task<string>> startContainer, string service)
    {
        var configured = Environment.GetEnvironmentVariable(variable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }
        if (ContainerServices.DockerReachable())
        {
            return await startContainer().ConfigureAwait(false);
        }
        throw new InvalidOperationException(
            $"This test needs a real {service}. Run ./test.sh (it installs and starts one), " +
            $"set {variable} to the address of a running {service}, or make a Docker engine reachable for Testcontainers.");
    }
}
