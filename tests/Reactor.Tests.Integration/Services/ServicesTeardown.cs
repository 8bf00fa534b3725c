using NUnit.Framework;

namespace Reactor.Tests.Integration;

/// <summary>Stops the services the test run started itself (the Redis Cluster, the RabbitMQ cluster) once every test has run.</summary>
[SetUpFixture]
public sealed class ServicesTeardown
{
    [OneTimeTearDown]
    public static async Task StopAsync()
    {
        await Services.TestServices.StopOwnServicesAsync();
        await Services.RabbitMqClusterProcess.StopSharedAsync();
    }
}

/// <summary>Key lookups for tests that check what a run left in Redis, on a single server or every cluster master.</summary>
internal static class RedisTestScan
{
    /// <summary>Keys matching <paramref name="pattern"/> on every primary (SCAN: tests only).</summary>
    public static List<string> Keys(StackExchange.Redis.IConnectionMultiplexer redis, string pattern) =>
        [.. redis.GetServers().Where(s => !s.IsReplica && s.IsConnected).SelectMany(s => s.Keys(pattern: pattern)).Select(k => k.ToString())];
}
