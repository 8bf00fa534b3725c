using NUnit.Framework;
using Reactor.Storage;
using Reactor.Storage.Redis;
using Reactor.Tests.Integration.Services;
using StackExchange.Redis;

namespace Reactor.Tests.Integration.Storage;

[TestFixture]
public sealed class MemoryJobStoreContractTests : JobStoreContract
{
    protected override Task<IJobStore> CreateStoreAsync() => Task.FromResult<IJobStore>(new MemoryJobStore());

    // The node skips store writes and the resume at start for a store that says it is not durable.
    [Test]
    public void Says_it_is_not_durable() => Assert.That(Store.IsDurable, Is.False);
}

// Once against a single server and once against a Redis Cluster (three masters, one replica each).
[TestFixture(TestServices.SingleRedis)]
[TestFixture(TestServices.ClusterRedis)]
public sealed class RedisJobStoreContractTests(string backend) : JobStoreContract
{
    private ConnectionMultiplexer _redis = null!;

    [OneTimeSetUp]
    public async Task Connect() => _redis = await ConnectionMultiplexer.ConnectAsync(await TestServices.RedisAsync(backend));

    [OneTimeTearDown]
    public async Task Disconnect() => await _redis.DisposeAsync();

    // A prefix per test keeps runs and tests from ever seeing each other's keys.
    protected override Task<IJobStore> CreateStoreAsync() =>
        Task.FromResult<IJobStore>(new RedisJobStore(_redis, new RedisJobStoreOptions { KeyPrefix = RedisTestKeys.UniquePrefix() }));

    [Test]
    public void Says_it_is_durable() => Assert.That(Store.IsDurable, Is.True);

    protected override async Task CleanUpAsync(IJobStore store) =>
        await RedisTestKeys.DeleteAsync(_redis, (RedisJobStore)store, Nodes);
}

/// <summary>Key housekeeping shared by the Redis tests.</summary>
internal static class RedisTestKeys
{
    public static string UniquePrefix() => $"reactor-test-{Guid.NewGuid():N}";

    /// <summary>Deletes the records and indexes of <paramref name="nodes"/>; tests know their nodes, so no SCAN.</summary>
    public static async Task DeleteAsync(IConnectionMultiplexer redis, RedisJobStore store, IEnumerable<string> nodes)
    {
        foreach (var node in nodes)
        {
            await store.DeleteAllForAsync(node);
            await redis.GetDatabase().KeyDeleteAsync(store.Keys.NodeJobs(node));
        }
    }
}
