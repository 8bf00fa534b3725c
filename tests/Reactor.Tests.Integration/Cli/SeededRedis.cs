using Reactor.Storage;
using Reactor.Storage.Redis;
using Reactor.Tests.Integration.Services;
using Reactor.Tests.Integration.Storage;
using StackExchange.Redis;

namespace Reactor.Tests.Integration.Cli;

/// <summary>
/// Job records for the CLI to find, under a key prefix of their own: three jobs of <see cref="Worker"/>
/// (queued, failed, complete) and one of <see cref="OtherWorker"/>.
/// </summary>
internal sealed class SeededRedis : IAsyncDisposable
{
    public const string Worker = "worker_1";
    public const string OtherWorker = "worker_2";
    public const string FailedError = "IOException: disk full\n   at Reactor.Jobs.Write()";

    private readonly ConnectionMultiplexer _redis;

    private SeededRedis(ConnectionMultiplexer redis, RedisJobStore store, string address)
    {
        _redis = redis;
        Store = store;
        Address = address;
    }

    public RedisJobStore Store { get; }

    public string Address { get; }

    public string Prefix => Store.Keys.Prefix;

    public static async Task<SeededRedis> CreateAsync()
    {
        var address = await TestServices.RedisAsync();
        var redis = await ConnectionMultiplexer.ConnectAsync(address);
        var store = new RedisJobStore(redis, new RedisJobStoreOptions { KeyPrefix = RedisTestKeys.UniquePrefix() });
        var seeded = new SeededRedis(redis, store, address);
        await store.SaveAsync(Job("queued-1", Worker, JobStatus.Queued, new JobArgs { ["to"] = "someone@example.com" }));
        await store.SaveAsync(Job("failed-1", Worker, JobStatus.Failed, new JobArgs
        {
            ["path"] = "/var/data/report.csv",
            ["sizes"] = new List<object?> { 1, 2, 3 },
            ["meta"] = new Dictionary<string, object?> { ["owner"] = "ops" },
        }, FailedError));
        await store.SaveAsync(Job("done-1", Worker, JobStatus.Complete, new JobArgs()));
        await store.SaveAsync(Job("elsewhere-1", OtherWorker, JobStatus.InProgress, new JobArgs()));
        return seeded;
    }

    public async ValueTask DisposeAsync()
    {
        await RedisTestKeys.DeleteAsync(_redis, Store, [Worker, OtherWorker]);
        await Store.DisposeAsync();
        await _redis.DisposeAsync();
    }

    private static JobRecord Job(string id, string node, JobStatus status, JobArgs args, string? error = null) => new()
    {
        Id = id,
        Name = status == JobStatus.Failed ? "write_report" : "send_mail",
        Args = args,
        Node = node,
        Status = status,
        Attempt = status == JobStatus.Failed ? 3 : 1,
        MaxAttempt = 3,
        RunAt = DateTimeOffset.FromUnixTimeMilliseconds(1_760_000_000_000),
        FailedAt = error is null ? null : DateTimeOffset.FromUnixTimeMilliseconds(1_760_000_060_000),
        LastError = error,
    };
}
