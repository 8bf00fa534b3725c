using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;
using StackExchange.Redis;

namespace Reactor.Tests.Unit.Distributor.Dispatching;

/// <summary>
/// The Redis-backed limits cost nothing for names without a limit: a database that records every call
/// sees none while 500 unlimited jobs are dispatched, and one script call per batch of a limited name,
/// whose permits the dispatcher then uses.
/// </summary>
[TestFixture]
[CancelAfter(10_000)]
public sealed class RedisLimitCostTests : DispatcherFixture
{
    private RecordingDatabase _calls = null!;

    private protected override void Configure(DistributorOptions options) => options.Limit("mail", concurrency: 5);

    [SetUp]
    public void UseRedis()
    {
        var db = DispatchProxy.Create<IDatabase, RecordingDatabase>();
        _calls = (RecordingDatabase)(object)db;
        Dispatcher.UseRedisLimits(db, "cost", NullLogger.Instance);
    }

    [Test]
    public void Unlimited_names_never_reach_redis()
    {
        var (_, node) = Join("a", capacity: 1000, jobNames: ["work", "mail"]);

        Submit(500);

        Assert.That(node.Dispatched, Has.Count.EqualTo(500));
        Assert.That(_calls.Methods, Is.Empty);
    }

    [Test]
    public async Task A_limited_name_asks_redis_once_for_the_waiting_jobs_and_uses_the_permits()
    {
        var (_, node) = Join("a", capacity: 1000, jobNames: ["mail"]);
        _calls.Grant = 3;

        var jobs = Submit(3, "mail");
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (node.Dispatched.Count < 3 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.That(node.Dispatched, Is.EquivalentTo(Ids(jobs)));
        Assert.That(_calls.Methods.Count(m => m == nameof(IDatabase.ScriptEvaluateAsync)), Is.LessThanOrEqualTo(2),
            "the first job's request, then one for the jobs that queued meanwhile");
        Dispatcher.Completed(jobs[0].Id);
        Assert.That(_calls.Methods.Last(), Is.EqualTo(nameof(IDatabase.ScriptEvaluateAsync)), "the finished job's slot goes back");
    }

    /// <summary>An <see cref="IDatabase"/> that records the methods called and grants <see cref="Grant"/> permits per script call.</summary>
    public class RecordingDatabase : DispatchProxy
    {
        private readonly ConcurrentQueue<string> _methods = new();

        public IReadOnlyList<string> Methods => [.. _methods];

        public int Grant { get; set; }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            _methods.Enqueue(targetMethod!.Name);
            if (targetMethod.ReturnType == typeof(Task<RedisResult>))
            {
                var granted = Grant;
                Grant = 0;
                return Task.FromResult(RedisResult.Create([RedisResult.Create(granted), RedisResult.Create(granted > 0 ? -1 : 60_000)]));
            }
            throw new NotSupportedException(targetMethod.Name);
        }
    }
}
