using Reactor.Json;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using Reactor.Dashboard;
using Reactor.Dashboard.Access;
using Reactor.Dashboard.Data;
using Reactor.Dashboard.Html;
using Reactor.Dashboard.Live;

namespace Reactor.Tests.Unit.Dashboard;

[TestFixture]
public sealed class DashboardPiecesTests
{
    [TestCase("127.0.0.1", true)]
    [TestCase("127.5.5.5", true)]
    [TestCase("::1", true)]
    [TestCase("::ffff:127.0.0.1", true)]
    [TestCase("192.0.2.2", false)]
    [TestCase("10.0.0.7", false)]
    [TestCase("fd00::2", false)]
    public void Only_loopback_requests_are_local(string remote, bool local)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(remote);
        context.Connection.LocalIpAddress = IPAddress.Parse(remote);
        Assert.That(LocalRequests.IsLocal(context), Is.EqualTo(local));
    }

    [Test]
    public void Error_text_splits_into_exception_type_message_and_stack()
    {
        Assert.That(JobPage.SplitError("System.IO.FileNotFoundException: waiting for /tmp/x\n   at Job.Run()\n"),
            Is.EqualTo(((string?)"System.IO.FileNotFoundException", "waiting for /tmp/x", "   at Job.Run()")));
        Assert.That(JobPage.SplitError("timed out: no reply"), Is.EqualTo(((string?)null, "timed out: no reply", "")));
        Assert.That(JobPage.SplitError("<script>Exception: x"), Is.EqualTo(((string?)null, "<script>Exception: x", "")));
    }

    [Test]
    public void A_server_sent_event_gives_every_line_its_own_data_field()
    {
        Assert.That(DashboardApp.Event("update", "<p>a</p>\r\n<p>b</p>", "v1"),
            Is.EqualTo("id: v1\nevent: update\ndata: <p>a</p>\ndata: <p>b</p>\n\n"));
    }

    [Test]
    public async Task Viewers_of_one_page_share_one_rendering_per_interval()
    {
        var time = new FakeTimeProvider();
        var cache = new RenderCache(time, TimeSpan.FromSeconds(2));
        var renders = 0;
        Task<Page> Render() => Task.FromResult(new Page(200, "t", $"body {++renders}"));

        for (var viewer = 0; viewer < 50; viewer++)
        {
            Assert.That((await cache.GetAsync("jobs?status=failed", Render)).Body, Is.EqualTo("body 1"));
        }
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.That((await cache.GetAsync("jobs?status=failed", Render)).Body, Is.EqualTo("body 2"));
        Assert.That(renders, Is.EqualTo(2));
    }

    [Test]
    public void Throughput_is_the_change_of_the_outcome_counts_per_second()
    {
        var time = new FakeTimeProvider();
        var sampler = new ThroughputSampler(time);
        Assert.That(sampler.Observe(Snapshot("d1", 10, 1)), Is.Empty);
        time.Advance(TimeSpan.FromSeconds(10));
        var points = sampler.Observe(Snapshot("d1", 110, 21));
        Assert.That(points.Select(p => (p.JobsPerSecond, p.FailuresPerSecond)), Is.EqualTo(new[] { (10.0, 2.0) }));
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.That(sampler.Observe(Snapshot("d2", 5, 0)), Has.Count.EqualTo(1), "another distributor starts a new series without a negative rate");
        time.Advance(ThroughputSampler.Window + TimeSpan.FromSeconds(1));
        Assert.That(sampler.Observe(null), Is.Empty, "points older than the window are dropped");
    }

    [Test]
    public void Args_show_as_json_with_bytes_summarised_and_markup_left_for_the_page_to_escape()
    {
        var args = new JobArgs { ["<k>"] = "<v>", ["n"] = 3L, ["blob"] = new byte[100], ["list"] = new List<object?> { 1L, null } };
        var json = JsonText.Write(args, indented: false);
        Assert.That(json, Is.EqualTo("{\"<k>\":\"<v>\",\"n\":3,\"blob\":\"0x" + new string('0', 96) + "... (100 bytes)\",\"list\":[1,null]}"));
        Assert.That(Html.E(json), Does.Not.Contain("<"));
    }

    [Test]
    public void Json_text_reads_dictionaries_of_any_key_type_and_bounds_depth()
    {
        // MessagePack hands maps over as Dictionary<object, object>, whose plain enumerator yields KeyValuePairs.
        var map = new Dictionary<object, object?> { [1L] = "one", ["two"] = new Dictionary<object, object?> { ["x"] = 2.5 } };
        Assert.That(JsonText.Write(map, indented: false), Is.EqualTo("{\"1\":\"one\",\"two\":{\"x\":2.5}}"));
        var cyclic = new List<object?>();
        cyclic.Add(cyclic);
        Assert.That(JsonText.Write(cyclic, indented: false), Does.EndWith("[\"...\"]" + new string(']', 31)));
        Assert.That(JsonText.Write(new object?[] { double.NaN, new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero) }, indented: false),
            Is.EqualTo("[\"NaN\",\"2026-01-02T03:04:05.0000000+00:00\"]"));
    }

    [TestCase(0)]
    [TestCase(501)]
    public void Options_refuse_a_page_size_out_of_range(int size) =>
        Assert.That(() => new DashboardOptions { PageSize = size }.Validate(), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("PageSize"));

    private static DistributorSnapshot Snapshot(string id, long done, long failed) =>
        new(id, "127.0.0.1:1", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, [], [], 0, 0, [], new OutcomeCounts(done - failed, failed, 0));
}
