using NUnit.Framework;
using Reactor.Protocol;
using Reactor.Protocol.Messages;
using Reactor.Tests.Integration.Support;

namespace Reactor.Tests.Integration.Core;

/// <summary>
/// Each bad peer gets a clear logged reason and is dropped, while a healthy in-process node
/// connected to the same distributor holds jobs in flight through the attack: they all complete,
/// each exactly once, and the node keeps taking new ones.
/// </summary>
[TestFixture]
[CancelAfter(120_000)]
public sealed class BadInputTests
{
    private const int HeldJobs = 20;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private Cluster _cluster = null!;
    private HeldJobs _held = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _cluster = await Cluster.StartAsync(o =>
        {
            o.HandshakeTimeout = TimeSpan.FromSeconds(1);
            o.PendingTimeout = TimeSpan.FromSeconds(2);
            o.HeartbeatInterval = TimeSpan.FromMilliseconds(300);
        });
        await _cluster.Host.StartNodeAsync(new NodeOptions
        {
            Name = "healthy",
            LogJobProcessing = false,
            Jobs = j =>
            {
                j.Job("add", a => a["sum"] = a.Get<long>("a") + a.Get<long>("b"));
                j.Job("hold", async a => await _held.RunAsync(a));
            },
        });
        await _cluster.WaitForNodesAsync(1);
        // Every attack below lands while the healthy node is in the middle of these.
        _held = new HeldJobs(HeldJobs);
        _held.Enqueue(_cluster.Distributor);
        await _held.AllStarted.WaitAsync(Patience);
    }

    [TearDown]
    public async Task StopAsync()
    {
        _held.Release();
        await _cluster.DisposeAsync();
    }

    private async Task AssertHealthyNodeUndisturbedAsync()
    {
        await _held.AssertEachCompletesOnceAsync(Patience);
        var result = await _cluster.Distributor.EnqueueAsync("add", new { a = 40, b = 2 }).WaitAsync(Patience);
        Assert.That(result.Args.Get<long>("sum"), Is.EqualTo(42));
        Assert.That(_cluster.Distributor.ConnectedNodes, Is.EqualTo(new[] { "healthy" }));
        Assert.That(_held.Runs, Is.EqualTo(HeldJobs), "no held job ran twice (none was re-dispatched)");
    }

    private static IEnumerable<TestCaseData> BrokenStreams()
    {
        yield return new TestCaseData(System.Text.Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), false, "exceeds the limit")
            .SetName("Garbage_bytes_are_refused");
        yield return new TestCaseData(new byte[] { 0x7f, 0xff, 0xff, 0xff }, false, "exceeds the limit")
            .SetName("A_length_prefix_over_the_limit_is_refused_before_the_body_arrives");
        yield return new TestCaseData(new byte[] { 0, 0, 0, 100, 0x92, 0x01 }, true, "closed inside a frame")
            .SetName("A_truncated_frame_then_close_is_reported");
        yield return new TestCaseData(RawPeer.Frame((ref MessagePack.MessagePackWriter w) =>
            {
                w.WriteArrayHeader(2);
                w.Write(99);
                w.WriteArrayHeader(0);
            }), false, "unknown message type 99")
            .SetName("An_unknown_message_type_is_refused");
    }

    /// <summary>A Result frame's envelope, job id and outcome: what follows is the args map under test.</summary>
    private static void WriteResultUpToArgs(ref MessagePack.MessagePackWriter w)
    {
        w.WriteArrayHeader(2);
        w.Write(MessageType.Result);
        w.WriteArrayHeader(6);
        w.Write("job");
        w.Write(0);
    }

    [TestCaseSource(nameof(BrokenStreams))]
    public async Task Broken_stream_drops_only_that_peer(byte[] bytes, bool closeAfterSending, string reason)
    {
        await using var peer = await RawPeer.ConnectAsync(_cluster.Distributor.Port);
        await peer.SendRawAsync(bytes);
        if (closeAfterSending)
        {
            peer.Close();
        }
        else
        {
            Assert.That(await peer.ClosedByPeerAsync(Patience), Is.True, "the distributor closed the connection");
        }

        Assert.That(await _cluster.Logs.WaitForAsync(reason, Patience), Is.True, $"a log line says '{reason}'");
        await AssertHealthyNodeUndisturbedAsync();
    }

    [Test]
    public async Task A_wrong_protocol_version_is_rejected_with_the_reason()
    {
        await using var peer = await RawPeer.ConnectAsync(_cluster.Distributor.Port);
        await peer.SendAsync(new Hello(99, "future", 1, ["add"], "memory", null));

        var answer = await peer.ReadAsync(Patience);

        Assert.That(answer, Is.TypeOf<Reject>());
        Assert.That(((Reject)answer).Reason, Does.Contain("protocol version 99"));
        Assert.That(await peer.ClosedByPeerAsync(Patience), Is.True);
        await AssertHealthyNodeUndisturbedAsync();
    }

    [Test]
    public async Task A_peer_that_sends_nothing_is_dropped_after_the_handshake_timeout()
    {
        await using var peer = await RawPeer.ConnectAsync(_cluster.Distributor.Port);

        Assert.That(await peer.ClosedByPeerAsync(Patience), Is.True);
        Assert.That(_cluster.Logs.Contains("did not complete the handshake"), Is.True);
        await AssertHealthyNodeUndisturbedAsync();
    }

    [Test]
    public async Task Deeply_nested_args_from_a_node_drop_that_node_and_its_jobs_go_elsewhere()
    {
        await using var peer = await RawPeer.ConnectAsync(_cluster.Distributor.Port);
        Assert.That(await peer.HelloAsync("nested", "add"), Is.TypeOf<Welcome>());
        await peer.SendRawAsync(RawPeer.Frame((ref MessagePack.MessagePackWriter w) =>
        {
            WriteResultUpToArgs(ref w);
            w.WriteMapHeader(1);
            w.Write("deep");
            for (var i = 0; i < 1000; i++)
            {
                w.WriteArrayHeader(1);
            }
            w.WriteNil();
            w.WriteNil();
            w.Write(true);
            w.Write(1);
        }));

        Assert.That(await peer.ClosedByPeerAsync(Patience), Is.True);
        Assert.That(await _cluster.Logs.WaitForAsync("deeper", Patience), Is.True);
        await AssertHealthyNodeUndisturbedAsync();
    }

    [Test]
    public async Task A_map_claiming_two_billion_entries_is_refused_without_allocating()
    {
        await using var peer = await RawPeer.ConnectAsync(_cluster.Distributor.Port);
        Assert.That(await peer.HelloAsync("huge", "add"), Is.TypeOf<Welcome>());
        await peer.SendRawAsync(RawPeer.Frame((ref MessagePack.MessagePackWriter w) =>
        {
            WriteResultUpToArgs(ref w);
            w.WriteMapHeader(int.MaxValue);
        }));

        Assert.That(await peer.ClosedByPeerAsync(Patience), Is.True);
        Assert.That(await _cluster.Logs.WaitForAsync("protocol violation", Patience), Is.True);
        await AssertHealthyNodeUndisturbedAsync();
    }

    [Test]
    public async Task A_node_that_goes_silent_is_dropped_by_the_heartbeat_and_its_jobs_run_elsewhere()
    {
        await using var peer = await RawPeer.ConnectAsync(_cluster.Distributor.Port);
        Assert.That(await peer.HelloAsync("silent", "add"), Is.TypeOf<Welcome>());
        // The silent peer takes a job (it has the most free credit) and then never answers again.
        var stranded = _cluster.Distributor.EnqueueAsync("add", new { a = 1, b = 2 }, new EnqueueOptions { Node = "silent" });

        Assert.That(await peer.ClosedByPeerAsync(Patience), Is.True, "dropped after three silent heartbeat intervals");
        var result = await stranded.WaitAsync(Patience);

        Assert.That(result.Args.Get<long>("sum"), Is.EqualTo(3), "the job it held ran on the healthy node");
        Assert.That(_cluster.Logs.Contains("silent for three heartbeats"), Is.True);
        await AssertHealthyNodeUndisturbedAsync();
    }

    [Test]
    public async Task A_second_node_with_a_taken_name_is_rejected_and_the_first_keeps_working()
    {
        await using var peer = await RawPeer.ConnectAsync(_cluster.Distributor.Port);

        var answer = await peer.HelloAsync("healthy", "add");

        Assert.That(answer, Is.TypeOf<Reject>());
        Assert.That(((Reject)answer).Reason, Does.Contain("already connected"));
        await AssertHealthyNodeUndisturbedAsync();
    }

    [Test]
    public async Task A_job_no_connected_node_knows_waits_then_fails_after_the_pending_timeout()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var pending = _cluster.Distributor.EnqueueAsync("nobody_knows_me", new { x = 1 });
        Assert.That(_cluster.Distributor.PendingCount, Is.EqualTo(1), "it waits for a node first");

        var result = await pending.WaitAsync(Patience);

        // A lower bound only: a loaded machine makes it later, never earlier.
        Assert.That(clock.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(1.9)), "it waited out the 2 s pending timeout");
        Assert.That(result.Outcome, Is.EqualTo(JobOutcome.Failed));
        Assert.That(result.Error, Does.Contain("waited too long"));
        Assert.That(_cluster.Distributor.PendingCount, Is.Zero);
        await _held.AssertEachCompletesOnceAsync(Patience);
        Assert.That(_cluster.Distributor.FeedbackCount, Is.Zero);
    }

    [Test]
    public async Task Bad_schedule_options_throw_from_enqueue_and_a_delay_beyond_a_year_waits_until_cancelled()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _cluster.Distributor.Enqueue("add", null, new EnqueueOptions { Period = TimeSpan.Zero }));
        Assert.Throws<ArgumentOutOfRangeException>(() => _cluster.Distributor.Enqueue("add", null, new EnqueueOptions { MaxAttempt = 0 }));
        Assert.That(_cluster.Distributor.FeedbackCount, Is.EqualTo(HeldJobs), "nothing was registered or sent beyond the held jobs");

        var cancelled = new TaskCompletionSource<JobArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        var id = _cluster.Distributor.Enqueue("add", new { a = 1, b = 1 }, new EnqueueOptions { After = TimeSpan.FromDays(400) },
            success: _ => cancelled.TrySetException(new AssertionException("a job due in 400 days ran")),
            error: a => cancelled.TrySetResult(a));
        // The node handles dispatches in order on one connection and one loop: once a job sent after
        // the far-future one has its result, the far-future one was parked, not run.
        var later = await _cluster.Distributor.EnqueueAsync("add", new { a = 2, b = 2 }, new EnqueueOptions { Node = "healthy" }).WaitAsync(Patience);

        Assert.That(later.Args.Get<long>("sum"), Is.EqualTo(4));
        Assert.That(_cluster.Distributor.InFlightCount, Is.EqualTo(HeldJobs + 1), "the node holds it on its timer");
        Assert.That(cancelled.Task.IsCompleted, Is.False);
        Assert.That(_cluster.Distributor.Cancel(id), Is.EqualTo(CancelResult.Requested));
        var final = await cancelled.Task.WaitAsync(Patience);
        Assert.That(final.Get<string>("error"), Does.Contain("cancelled by the application"));
    }

    [Test]
    public void Args_that_cannot_be_serialized_throw_from_enqueue_and_nothing_is_sent()
    {
        using var stream = new MemoryStream();

        var error = Assert.Throws<ArgumentException>(() => _cluster.Distributor.Enqueue("add", new { a = 1, payload = new[] { new object[] { stream } } }));

        Assert.That(error!.Message, Does.Contain("payload"));
        Assert.That(error.Message, Does.Contain("MemoryStream"));
        Assert.That(_cluster.Distributor.PendingCount, Is.Zero);
        Assert.That(_cluster.Distributor.InFlightCount, Is.EqualTo(HeldJobs), "only the held jobs");
        Assert.That(_cluster.Distributor.FeedbackCount, Is.EqualTo(HeldJobs), "only the held jobs");
    }
}
