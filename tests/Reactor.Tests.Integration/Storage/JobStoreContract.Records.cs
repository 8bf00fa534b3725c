using NUnit.Framework;
using Reactor.Protocol.Framing;
using Reactor.Storage;

namespace Reactor.Tests.Integration.Storage;

public abstract partial class JobStoreContract
{
    /// <summary>A job with only the required fields and the given status.</summary>
    protected static JobRecord NewJob(string id, string node, JobStatus status = JobStatus.New, int attempt = 0) => new()
    {
        Id = id,
        Name = "send_mail",
        Args = new JobArgs { ["to"] = "someone@example.com" },
        Node = node,
        Status = status,
        Attempt = attempt,
    };

    /// <summary>A job with every field set to a value unlike its default, and nested args.</summary>
    protected static JobRecord FullJob(string id, string node)
    {
        // Whole milliseconds: stores may keep times at that precision.
        var runAt = DateTimeOffset.FromUnixTimeMilliseconds(1_760_000_000_123);
        return new JobRecord
        {
            Id = id,
            Name = "resize_image",
            Args = NestedArgs(),
            Node = node,
            Distributor = "distributor-1",
            Status = JobStatus.Error,
            Attempt = 3,
            RunAt = runAt,
            MakeAfter = TimeSpan.FromSeconds(90),
            FailedAt = runAt.AddMinutes(-1),
            LastError = "ArgumentException: boom\n   at Resize()",
            Period = TimeSpan.FromMinutes(5),
            Defer = true,
            MaxAttempt = 7,
            RetryMultiplier = TimeSpan.FromMilliseconds(1500),
            Timeout = TimeSpan.FromSeconds(30),
            OnSuccess = false,
            OnError = true,
        };
    }

    protected static JobArgs NestedArgs() => new()
    {
        ["text"] = "héllo ☃",
        ["count"] = 5,
        ["big"] = 5_000_000_000L,
        ["ratio"] = 0.25,
        ["flag"] = true,
        ["nothing"] = null,
        ["bytes"] = new byte[] { 0, 1, 255 },
        ["when"] = new DateTime(2025, 1, 2, 3, 4, 5, 678, DateTimeKind.Utc),
        ["list"] = new List<object?> { 1, "two", new Dictionary<string, object?> { ["three"] = 3.5 } },
        ["map"] = new Dictionary<string, object?> { ["inner"] = new List<object?> { true, null } },
    };

    protected static void AssertSameRecord(JobRecord? actual, JobRecord expected)
    {
        Assert.That(actual, Is.Not.Null, $"job {expected.Id} was not found");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(actual!.Id, Is.EqualTo(expected.Id));
            Assert.That(actual.Name, Is.EqualTo(expected.Name));
            // Encoded bytes compare nested lists, maps and value types in one go.
            Assert.That(JobArgsSerializer.Serialize(actual.Args), Is.EqualTo(JobArgsSerializer.Serialize(expected.Args)));
            Assert.That(actual.Node, Is.EqualTo(expected.Node));
            Assert.That(actual.Distributor, Is.EqualTo(expected.Distributor));
            Assert.That(actual.Status, Is.EqualTo(expected.Status));
            Assert.That(actual.Attempt, Is.EqualTo(expected.Attempt));
            Assert.That(actual.RunAt, Is.EqualTo(expected.RunAt));
            Assert.That(actual.MakeAfter, Is.EqualTo(expected.MakeAfter));
            Assert.That(actual.FailedAt, Is.EqualTo(expected.FailedAt));
            Assert.That(actual.LastError, Is.EqualTo(expected.LastError));
            Assert.That(actual.Period, Is.EqualTo(expected.Period));
            Assert.That(actual.Defer, Is.EqualTo(expected.Defer));
            Assert.That(actual.MaxAttempt, Is.EqualTo(expected.MaxAttempt));
            Assert.That(actual.RetryMultiplier, Is.EqualTo(expected.RetryMultiplier));
            Assert.That(actual.Timeout, Is.EqualTo(expected.Timeout));
            Assert.That(actual.OnSuccess, Is.EqualTo(expected.OnSuccess));
            Assert.That(actual.OnError, Is.EqualTo(expected.OnError));
            Assert.That(actual.FormatVersion, Is.EqualTo(JobRecord.CurrentFormatVersion));
        }
    }
}
