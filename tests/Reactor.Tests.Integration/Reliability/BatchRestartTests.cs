using NUnit.Framework;
using Reactor.Tests.Integration.Services;
using Reactor.Tests.Integration.Support;
using StackExchange.Redis;

namespace Reactor.Tests.Integration.Reliability;

/// <summary>
/// A batch's feedback across an application restart, with real processes and a real Redis: the app that
/// enqueued a batch is SIGKILLed mid-batch and the restarted app's <c>OnBatchResult</c> runs once with
/// every job counted; without a crash only the <c>onBatchComplete</c> lambda runs.
/// </summary>
[TestFixture]
[CancelAfter(300_000)]
[NonParallelizable]
public sealed class BatchRestartTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Test]
    public async Task A_batch_whose_app_was_killed_mid_batch_reports_once_after_the_restart()
    {
        const int Jobs = 4_000;
        var redis = await TestServices.RedisAsync();
        var name = $"batch-restart-{Guid.NewGuid():N}";
        var port = RedisServerProcess.FreePort();
        // 4,000 jobs of 50 ms, 40 at a time: about 5 s of work, so the kill lands mid-batch.
        await using var node = NodeProcess.Start("batch_restart_node", $"127.0.0.1:{port}", Cluster.JobsDirectory,
            "--capacity", "40", "--log-job-processing", "false");
        string batchId;
        await using (var first = ChildProcess.StartRepoApp("Reactor.TestApp", "batch", $"{port}", redis, name, $"{Jobs}", "50"))
        {
            await first.WaitForLineAsync("succeeded 300", Patience);
            first.Kill();
            await first.WaitForExitAsync(Patience);
            var lines = first.Lines;
            Assert.That(lines.Where(l => l.StartsWith("lambda ", StringComparison.Ordinal)), Is.Empty, "the batch was not complete at the kill");
            batchId = lines.Single(l => l.StartsWith("input ended ", StringComparison.Ordinal))["input ended ".Length..];
            TestContext.Out.WriteLine($"killed after {lines.Count(l => l.StartsWith("succeeded ", StringComparison.Ordinal)) * 100}+ feedbacks");
        }
        await using var admin = await ConnectionMultiplexer.ConnectAsync(redis);
        var db = admin.GetDatabase();
        Assert.That(await db.SetContainsAsync($"reactor:dist:{{{name}}}:batches", batchId), Is.True, "the batch is listed as undelivered");

        await using (var second = ChildProcess.StartRepoApp("Reactor.TestApp", "batchserve", $"{port}", redis, name))
        {
            await WaitForAsync(() => second.Lines.Any(l => l.StartsWith("handler ", StringComparison.Ordinal)), "a handler line", second);
            // Everything settled and the batch forgotten: any second delivery would have been posted by now.
            await WaitForAsync(async () => await db.HashLengthAsync($"reactor:dist:{{{name}}}:jobs") == 0
                && await db.SetLengthAsync($"reactor:dist:{{{name}}}:batches") == 0, "the journal to drain", second);
            await second.WaitForLineAsync("sentinel", Patience);
            var handled = second.Lines.Where(l => l.StartsWith("handler ", StringComparison.Ordinal)).ToList();
            TestContext.Out.WriteLine(string.Join("\n", handled));
            Assert.That(handled, Has.Count.EqualTo(1), "the restarted app's handler runs exactly once");
            var parts = handled[0].Split(' ');
            Assert.That(parts[1], Is.EqualTo(batchId));
            var (total, succeeded, failed, cancelled) = (int.Parse(parts[2]), int.Parse(parts[3]), int.Parse(parts[4]), int.Parse(parts[5]));
            Assert.That(total, Is.EqualTo(Jobs));
            Assert.That(succeeded + failed + cancelled, Is.EqualTo(total), "every job counted once");
            Assert.That(succeeded, Is.EqualTo(Jobs), "sleep jobs all succeed");
            Assert.That(await db.KeyExistsAsync($"reactor:dist:{{{name}}}:batch:{batchId}"), Is.False, "the batch's counters are gone");
        }

        await using var third = ChildProcess.StartRepoApp("Reactor.TestApp", "batchserve", $"{port}", redis, name);
        await third.WaitForLineAsync("sentinel", Patience);
        Assert.That(third.Lines.Where(l => l.StartsWith("handler ", StringComparison.Ordinal)), Is.Empty, "no second delivery on another restart");
    }

    [Test]
    public async Task A_batch_whose_app_was_killed_before_its_input_ended_is_sealed_with_the_jobs_it_had_journaled()
    {
        var redis = await TestServices.RedisAsync();
        var name = $"batch-unsealed-{Guid.NewGuid():N}";
        var port = RedisServerProcess.FreePort();
        await using var node = NodeProcess.Start("batch_unsealed_node", $"127.0.0.1:{port}", Cluster.JobsDirectory,
            "--capacity", "40", "--log-job-processing", "false");
        // 20,000 items through a window of 1,000: the input is far from its end when the app dies.
        await using (var first = ChildProcess.StartRepoApp("Reactor.TestApp", "batch", $"{port}", redis, name, "20000", "50", "1000"))
        {
            await first.WaitForLineAsync("succeeded 300", Patience);
            first.Kill();
            await first.WaitForExitAsync(Patience);
            Assert.That(first.Lines.Where(l => l.StartsWith("input ended ", StringComparison.Ordinal)), Is.Empty, "killed before the input ended");
        }
        await using var admin = await ConnectionMultiplexer.ConnectAsync(redis);
        var db = admin.GetDatabase();
        await using var second = ChildProcess.StartRepoApp("Reactor.TestApp", "batchserve", $"{port}", redis, name);
        await WaitForAsync(() => second.Lines.Any(l => l.StartsWith("handler ", StringComparison.Ordinal)), "a handler line", second);
        await WaitForAsync(async () => await db.SetLengthAsync($"reactor:dist:{{{name}}}:batches") == 0, "the batch to be forgotten", second);
        await second.WaitForLineAsync("sentinel", Patience);
        var handled = second.Lines.Where(l => l.StartsWith("handler ", StringComparison.Ordinal)).ToList();
        Assert.That(handled, Has.Count.EqualTo(1), "the handler runs exactly once");
        var parts = handled[0].Split(' ');
        var (total, succeeded) = (int.Parse(parts[2]), int.Parse(parts[3]));
        // Every job that was journaled settled once and left one stored result: the total is exactly those.
        var server = admin.GetServer(admin.GetEndPoints()[0]);
        var stored = 0;
        await foreach (var _ in server.KeysAsync(pattern: $"reactor:dist:{{{name}}}:result:*"))
        {
            stored++;
        }
        TestContext.Out.WriteLine($"{handled[0]}; stored results: {stored}");
        Assert.That(total, Is.InRange(300, 19_999));
        Assert.That(succeeded, Is.EqualTo(total), "every counted job succeeded, none twice");
        Assert.That(stored, Is.EqualTo(total), "the total is the jobs that were journaled and ran");
    }

    [Test]
    public async Task Without_a_crash_only_the_lambda_runs()
    {
        var redis = await TestServices.RedisAsync();
        var name = $"batch-norestart-{Guid.NewGuid():N}";
        var port = RedisServerProcess.FreePort();
        await using var node = NodeProcess.Start("batch_norestart_node", $"127.0.0.1:{port}", Cluster.JobsDirectory,
            "--capacity", "100", "--log-job-processing", "false");
        await using var admin = await ConnectionMultiplexer.ConnectAsync(redis);
        var db = admin.GetDatabase();
        await using (var first = ChildProcess.StartRepoApp("Reactor.TestApp", "batch", $"{port}", redis, name, "300", "1"))
        {
            await first.WaitForLineAsync("lambda 300 300 0 0", Patience);
            // The lambda ran, and Redis heard so (the batch is no longer listed).
            await WaitForAsync(async () => await db.SetLengthAsync($"reactor:dist:{{{name}}}:batches") == 0, "the batch to be forgotten", first);
            Assert.That(first.Lines.Where(l => l.StartsWith("handler ", StringComparison.Ordinal)), Is.Empty, "the handler does not run next to the lambda");
            Assert.That(first.Lines.Count(l => l.StartsWith("lambda ", StringComparison.Ordinal)), Is.EqualTo(1));
        }
        await using var restarted = ChildProcess.StartRepoApp("Reactor.TestApp", "batchserve", $"{port}", redis, name);
        await restarted.WaitForLineAsync("sentinel", Patience);
        Assert.That(restarted.Lines.Where(l => l.StartsWith("handler ", StringComparison.Ordinal)), Is.Empty, "a restart delivers nothing again");
    }

    private static Task WaitForAsync(Func<bool> condition, string what, ChildProcess process) =>
        WaitForAsync(() => Task.FromResult(condition()), what, process);

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what, ChildProcess process)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"waited for {what}; output:\n{string.Join("\n", process.Lines.TakeLast(30))}");
            }
            await Task.Delay(100);
        }
    }
}
