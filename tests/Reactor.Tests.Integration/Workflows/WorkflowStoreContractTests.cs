using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using Reactor.Tests.Integration.Services;
using Reactor.Workflows.Store;
using StackExchange.Redis;

namespace Reactor.Tests.Integration.Workflows;

[TestFixture]
public sealed class MemoryWorkflowStoreTests : WorkflowStoreContract
{
    private readonly FakeTimeProvider _time = new();

    private protected override Task<IWorkflowStore> CreateStoreAsync() => Task.FromResult<IWorkflowStore>(new MemoryWorkflowStore(_time));

    private protected override async Task AssertExpiresAsync(string id, TimeSpan retention)
    {
        _time.Advance(retention - TimeSpan.FromSeconds(1));
        Assert.That(await Store.LoadAsync(id), Is.Not.Null);
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.That(await Store.LoadAsync(id), Is.Null);
    }

    [Test]
    public async Task A_lease_lives_for_its_ttl_on_the_injected_clock()
    {
        await Store.RenewLeaseAsync("e1", TimeSpan.FromSeconds(15));
        _time.Advance(TimeSpan.FromSeconds(14));
        Assert.That(await Store.LeaseAliveAsync("e1"), Is.True);
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.That(await Store.LeaseAliveAsync("e1"), Is.False);
    }
}

// Once against a single server and once against a Redis Cluster (three masters, one replica each).
[TestFixture(TestServices.SingleRedis)]
[TestFixture(TestServices.ClusterRedis)]
public sealed class RedisWorkflowStoreTests(string backend) : WorkflowStoreContract
{
    private ConnectionMultiplexer? _redis;
    private string _prefix = "";

    private protected override async Task<IWorkflowStore> CreateStoreAsync()
    {
        _redis ??= await ConnectionMultiplexer.ConnectAsync(await TestServices.RedisAsync(backend));
        // A prefix per test keeps tests apart, and the outbox/lease keys too.
        _prefix = $"test:wf:{Guid.NewGuid():N}:";
        return new RedisWorkflowStore(_redis, _prefix);
    }

    private protected override async Task AssertExpiresAsync(string id, TimeSpan retention)
    {
        var db = _redis!.GetDatabase();
        // The keys this test's workflow certainly has (a started step with a pending task), and then
        // every key of the workflow, so a key added later without an expiry fails here too.
        var named = new[] { $"{_prefix}{{{id}}}", $"{_prefix}{{{id}}}:history", $"{_prefix}{{{id}}}:tasks", $"{_prefix}{{{id}}}:pending:s1" };
        var all = RedisTestScan.Keys(_redis, $"{_prefix}{{{id}}}*");
        Assert.That(all, Is.SupersetOf(named), "the workflow's keys exist until the retention ends");
        foreach (var key in all)
        {
            var ttl = await db.KeyTimeToLiveAsync(key);
            Assert.That(ttl, Is.Not.Null.And.LessThanOrEqualTo(retention).And.GreaterThan(retention - TimeSpan.FromMinutes(1)), key);
        }
    }

    [OneTimeTearDown]
    public async Task CloseRedis()
    {
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
            _redis = null;
        }
    }
}
