using System.Security.Cryptography;
using System.Text;
using Reactor.Protocol.Messages;

namespace Reactor.Tests.Unit.Protocol;

/// <summary>
/// One fixed instance of every message. The round-trip tests, the golden-byte tests and the
/// examples in docs/protocol.md all use these, so the hex printed in the spec is the hex asserted here.
/// </summary>
internal static class SampleMessages
{
    /// <summary>The shared secret of the documented authentication example.</summary>
    public const string Secret = "s3cret";

    /// <summary>The node name of the documented examples.</summary>
    public const string NodeName = "worker_1";

    /// <summary>The Greeting nonce of the documented examples: bytes 0x00 to 0x0f.</summary>
    public static byte[] Nonce() => Convert.FromHexString("000102030405060708090A0B0C0D0E0F");

    /// <summary>HMAC-SHA256(key = UTF-8 secret, data = nonce followed by the UTF-8 node name).</summary>
    public static byte[] AuthProof(string secret, byte[] nonce, string nodeName) =>
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), nonce.Concat(Encoding.UTF8.GetBytes(nodeName)).ToArray());

    /// <summary>The W3C Trace Context specification's example traceparent, carried by the traced Dispatch sample.</summary>
    public const string TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    /// <summary>The tracestate of the traced Dispatch sample.</summary>
    public const string TraceState = "rojo=00f067aa0ba902b7";

    /// <summary>Fresh instances on every call: messages holding <see cref="JobArgs"/> are mutable.</summary>
    public static IReadOnlyList<(string Name, IReactorMessage Message)> All() =>
    [
        ("Greeting", new Greeting(1, "dist-1", Nonce(), SecretRequired: true, MaxProtocolVersion: 3)),
        ("Hello", new Hello(3, NodeName, 4, ["my_job", "report"], "memory", AuthProof(Secret, Nonce(), NodeName))),
        ("Welcome", new Welcome("dist-1", 5000)),
        ("Reject", new Reject("duplicate node name")),
        ("Dispatch", new Dispatch(
            "job-42",
            "report",
            new JobArgs
            {
                ["arg1"] = "Hello",
                ["n"] = 5,
                ["tags"] = new List<object?> { "a", -1 },
                ["at"] = new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc),
            },
            RunAtUnixMs: 1_704_164_645_000,
            PeriodMs: 0,
            Defer: false,
            MaxAttempt: 3,
            RetryMultiplierMs: 5000,
            TimeoutMs: 0)),
        ("Dispatch(trace)", new Dispatch("job-44", "report", new JobArgs { ["n"] = 5 }, 0, 0, false, 0, 0, 0)
        {
            TraceParent = TraceParent,
            TraceState = TraceState,
        }),
        ("Dispatch(cron)", new Dispatch("job-45", "report", new JobArgs { ["n"] = 5 }, 1_767_254_400_000, 0, false, 0, 0, 0)
        {
            Cron = "0 9 * * 1-5",
            TimeZone = "Europe/Paris",
            CronMisfire = 1,
        }),
        ("DispatchBatch", new DispatchBatch(new Dispatch[]
        {
            new("job-46", "report", new JobArgs { ["n"] = 1 }, 0, 0, false, 0, 0, 0),
            new("job-47", "report", new JobArgs { ["n"] = 2 }, 0, 0, false, 0, 0, 0),
        })),
        ("Result", new Result(
            "job-42",
            JobOutcome.Succeeded,
            new JobArgs { ["arg1"] = "Hello", ["result"] = 1.5 },
            Error: null,
            Final: true,
            Attempt: 1) { Reason = JobOutcomeReason.Completed }),
        ("Result(Error)", new Result(
            "job-43",
            JobOutcome.Failed,
            new JobArgs { ["n"] = 5, ["error"] = "boom" },
            Error: "boom",
            Final: true,
            Attempt: 3) { Reason = JobOutcomeReason.Threw }),
        ("Result(Cancelled)", new Result(
            "job-45",
            JobOutcome.Cancelled,
            new JobArgs { ["n"] = 5 },
            Error: "cancelled by the job: done",
            Final: true,
            Attempt: 1) { Reason = JobOutcomeReason.CancelledByJob }),
        ("Result(v1)", new Result(
            "job-42",
            JobOutcome.Succeeded,
            new JobArgs { ["arg1"] = "Hello", ["result"] = 1.5 },
            Error: null,
            Final: true,
            Attempt: 1)),
        ("Credit", new Credit(2)),
        ("Cancel", new Cancel("job-42")),
        ("Heartbeat", Heartbeat.Instance),
        ("Goodbye", new Goodbye("shutting down")),
        ("ResultAck", new ResultAck("job-42")),
        ("ResultAckRange", new ResultAckRange(1, 256)),
        ("Publish", new Publish("job-42", 1, PublishKind.Trigger, "finalize", new JobArgs { ["n"] = 5 },
            DelayMs: 0, Events: ["event_1", "event_2"], Global: false)),
        ("Progress", new Progress("job-42", 1, 0.5, "3/7")),
    ];

    public static IReactorMessage Get(string name) => All().Single(sample => sample.Name == name).Message;
}
