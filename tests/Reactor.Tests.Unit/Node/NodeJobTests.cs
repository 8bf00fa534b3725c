using NUnit.Framework;
using Reactor.Node.Runtime;
using Reactor.Storage;

namespace Reactor.Tests.Unit.Node;

[TestFixture]
public sealed class NodeJobTests
{
    // No connection: these tests never send anything.
    private static NodeJob Job(JobArgs args) => NodeJob.FromWire("j1", "send", args, null!, "dist-1", 0, 0, false, 0, 0, 0);

    [Test]
    public void Args_encoded_while_parked_come_back_equal_and_fresh_for_every_attempt()
    {
        var original = new JobArgs(new Dictionary<string, object?>
        {
            ["n"] = 5, ["big"] = long.MaxValue, ["s"] = "text", ["none"] = null, ["list"] = new List<object?> { 1, "two" },
        });
        var job = Job(original);

        job.EncodeArgs(new System.Buffers.ArrayBufferWriter<byte>());
        var first = job.NewArgs();
        first["added"] = true;
        var second = job.NewArgs();

        Assert.That(second.Keys, Is.EquivalentTo(new[] { "n", "big", "s", "none", "list" }), "one attempt's additions never reach the next");
        Assert.That(second.Get<int>("n"), Is.EqualTo(5));
        Assert.That(second.Get<long>("big"), Is.EqualTo(long.MaxValue));
        Assert.That(second["s"], Is.EqualTo("text"));
        Assert.That(second["none"], Is.Null);
        Assert.That(second["list"], Is.EqualTo(new List<object?> { 1, "two" }));
        Assert.That(job.StoredArgs().Count, Is.EqualTo(5));
    }

    [Test]
    public void Empty_args_survive_parking_and_an_unparked_job_still_copies_per_attempt()
    {
        var empty = Job(new JobArgs());
        empty.EncodeArgs(new System.Buffers.ArrayBufferWriter<byte>());
        Assert.That(empty.NewArgs().Count, Is.Zero);

        var original = new JobArgs(new Dictionary<string, object?> { ["a"] = 1 });
        var running = Job(original);
        var attempt = running.NewArgs();
        attempt["b"] = 2;
        Assert.That(attempt, Is.Not.SameAs(original));
        Assert.That(running.NewArgs().Keys, Is.EqualTo(new[] { "a" }));
    }

    [Test]
    public void The_packed_record_round_trips_through_a_stored_record_keeping_unset_times_unset()
    {
        var packed = NodeJob.FromWire("j2", "tick", new JobArgs(), null!, "dist-2", runAtUnixMs: 1_767_225_600_123, periodMs: 1500,
            defer: true, maxAttempt: 7, retryMultiplierMs: 0, timeoutMs: 250);
        packed.Attempt = 2;
        packed.Status = JobStatus.Error;
        packed.LastError = "boom";
        var failedAt = DateTimeOffset.FromUnixTimeMilliseconds(1_767_225_601_000);
        packed.FailedAt = failedAt;

        var stored = packed.ToStored(new JobArgs(), "node-a");
        var back = NodeJob.FromStored(stored).ToStored(new JobArgs(), "node-a");

        Assert.That(stored.RunAt, Is.EqualTo(DateTimeOffset.FromUnixTimeMilliseconds(1_767_225_600_123)));
        Assert.That(stored.Period, Is.EqualTo(TimeSpan.FromMilliseconds(1500)));
        Assert.That(stored.Timeout, Is.EqualTo(TimeSpan.FromMilliseconds(250)));
        Assert.That(stored.RetryMultiplier, Is.Null, "zero on the wire means unset");
        Assert.That(stored.FailedAt, Is.EqualTo(failedAt));
        Assert.That(stored.LastError, Is.EqualTo("boom"));
        Assert.That(packed.TraceParent, Is.Null, "the Dispatch carried no trace context");
        Assert.That(stored.MakeAfter, Is.Null);
        Assert.That((stored.Node, stored.Distributor, stored.Defer, stored.MaxAttempt), Is.EqualTo(("node-a", "dist-2", true, 7)));
        foreach (var property in typeof(JobRecord).GetProperties().Where(p => p.Name != nameof(JobRecord.Args)))
        {
            Assert.That(property.GetValue(back), Is.EqualTo(property.GetValue(stored)), property.Name);
        }
    }
}
