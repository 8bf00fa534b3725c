using NUnit.Framework;
using Reactor.Storage;
using Reactor.Storage.Redis;
using Reactor.Tests.Integration.Services;
using StackExchange.Redis;

namespace Reactor.Tests.Integration.Storage;

/// <summary>Tests that need a server of their own: a password, nothing listening, a memory limit, a restart.</summary>
public sealed partial class RedisJobStoreTests
{
    private static readonly RedisJobStoreOptions QuickConnect = new() { ConnectTimeout = TimeSpan.FromSeconds(3) };

    [Test]
    public async Task A_wrong_password_gives_a_clear_error_without_the_password()
    {
        await using var server = await RedisServerProcess.StartAsync("--requirepass", "right-secret");

        var error = Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await RedisJobStore.ConnectAsync($"redis://:wrong-secret@{server.Address}", QuickConnect));

        Assert.That(error!.Message, Does.StartWith($"Redis at {server.Address} is unreachable: authentication failed"));
        Assert.That(error.Message, Does.Not.Contain("wrong-secret"));
        Assert.That(error.InnerException, Is.InstanceOf<RedisConnectionException>());
        await using var store = await RedisJobStore.ConnectAsync($"{server.Address},password=right-secret", QuickConnect);
        Assert.That(await store.LoadAsync("none"), Is.Null, "the right password works");
    }

    [Test]
    public async Task An_address_where_nothing_listens_fails_with_a_clear_error()
    {
        var port = RedisServerProcess.FreePort();

        var error = Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await RedisJobStore.ConnectAsync($"127.0.0.1:{port}", QuickConnect));

        Assert.That(error!.Message, Does.StartWith($"Redis at 127.0.0.1:{port} is unreachable"));
        Assert.That(error.InnerException, Is.InstanceOf<RedisConnectionException>());
    }

    [Test]
    public async Task A_save_refused_for_lack_of_memory_throws_and_changes_nothing()
    {
        await using var server = await RedisServerProcess.StartAsync("--maxmemory", "2mb", "--maxmemory-policy", "noeviction");
        await using var admin = await ConnectionMultiplexer.ConnectAsync($"{server.Address},allowAdmin=true");
        await using var store = await RedisJobStore.ConnectAsync(server.Address, QuickConnect);
        await store.SaveAsync(NewJob("kept", node: "a"));
        await FillUntilOutOfMemoryAsync(admin);

        var moved = NewJob("kept", JobStatus.Complete, node: "b");
        var error = Assert.ThrowsAsync<InvalidOperationException>(async () => await store.SaveAsync(moved));
        Assert.That(error!.Message, Does.Contain("out of memory").And.Contain("nothing was changed"));
        Assert.ThrowsAsync<InvalidOperationException>(async () => await store.SaveAsync(NewJob("new", node: "a")));

        var kept = await store.LoadAsync("kept");
        Assert.That(kept!.Node, Is.EqualTo("a"));
        Assert.That(kept.Status, Is.EqualTo(JobStatus.New));
        Assert.That(await store.LoadAsync("new"), Is.Null);
        Assert.That((await store.JobsForAsync("a")).Select(j => j.Id), Is.EqualTo(new[] { "kept" }));
        Assert.That(await store.JobsForAsync("b"), Is.Empty);
        Assert.That(await admin.GetDatabase().KeyTimeToLiveAsync(store.Keys.Job("kept")), Is.Null);
    }

    [Test]
    public async Task The_store_carries_on_after_Redis_restarts()
    {
        var first = await RedisServerProcess.StartAsync();
        await using var store = await RedisJobStore.ConnectAsync(first.Address, QuickConnect, _logger);
        await store.SaveAsync(NewJob("before"));

        await first.DisposeAsync();
        await using var second = await RedisServerProcess.StartAsync(first.Port);

        // The connection comes back in the background; until it has, operations fail.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                await store.SaveAsync(NewJob("after"));
                break;
            }
            catch (RedisException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
        Assert.That(await store.LoadAsync("after"), Is.Not.Null);
        Assert.That(_logger.Entries.Select(e => e.EventId.Name), Does.Contain("RedisConnectionFailed"));
    }

    private static async Task FillUntilOutOfMemoryAsync(IConnectionMultiplexer admin)
    {
        var db = admin.GetDatabase();
        var block = new string('x', 16 * 1024);
        for (var i = 0; ; i++)
        {
            try
            {
                await db.StringSetAsync($"filler:{i}", block);
            }
            catch (RedisServerException e) when (e.Message.StartsWith("OOM", StringComparison.Ordinal))
            {
                break;
            }
        }
        // Right after refusing a write Redis frees that client's buffers and can dip just under the
        // limit again; a limit below what it holds keeps it out of memory for the rest of the test.
        var server = admin.GetServer(admin.GetEndPoints()[0]);
        var used = long.Parse((await server.InfoAsync("memory")).SelectMany(g => g).First(kv => kv.Key == "used_memory").Value);
        await server.ConfigSetAsync("maxmemory", (used * 3 / 4).ToString());
    }
}
