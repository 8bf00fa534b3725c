using NUnit.Framework;
using Reactor.Storage.Redis;

namespace Reactor.Tests.Integration.Storage;

public sealed partial class RedisJobStoreTests
{
    // Pairs that would share a key, or split one, if names went into keys unescaped; the third is the
    // escaped form of the first written literally.
    private static readonly string[] TrickyNodes =
        ["a:b{c} d", "a:b{c}_d", "a%3Ab%7Bc%7D%20d", "a:b", "a", "ünïcødé ☃", "ünïcødé_☃", "tab\there", ""];

    [Test]
    public async Task Node_names_with_separators_braces_spaces_and_unicode_stay_isolated()
    {
        _nodes.UnionWith(TrickyNodes);
        foreach (var node in TrickyNodes)
        {
            await _store.SaveAsync(NewJob($"{node}:job {{1}}", node: node));
        }

        foreach (var node in TrickyNodes)
        {
            var jobs = await _store.JobsForAsync(node);
            Assert.That(jobs.Select(j => j.Id), Is.EqualTo(new[] { $"{node}:job {{1}}" }), $"node '{node}'");
            Assert.That(jobs[0].Node, Is.EqualTo(node));
        }
        Assert.That(await _store.DeleteAllForAsync("a:b"), Is.EqualTo(1));
        Assert.That(await _store.JobsForAsync("a:b{c} d"), Has.Count.EqualTo(1));
    }

    [TestCaseSource(nameof(TrickyNodes))]
    public void Keys_hold_only_safe_characters_after_the_prefix(string node)
    {
        var key = _store.Keys.NodeJobs(node).ToString();

        Assert.That(key, Does.Match($"^{_store.Keys.Prefix}:node:[A-Za-z0-9_.%-]*:jobs$"));
        Assert.That(_store.Keys.Job(node + "x").ToString(), Does.Match($"^{_store.Keys.Prefix}:job:[A-Za-z0-9_.%-]+$"));
    }

    [Test]
    public void An_id_that_is_not_valid_unicode_is_refused()
    {
        var job = NewJob("broken-\ud800");

        Assert.That(async () => await _store.SaveAsync(job), Throws.ArgumentException.With.Message.Contains("Unicode"));
    }

    [Test]
    public void Invalid_options_are_refused_with_the_reason()
    {
        var options = new RedisJobStoreOptions { KeyPrefix = "has space", CompletedRecordTtl = TimeSpan.Zero };

        Assert.That(() => new RedisJobStore(_redis, options),
            Throws.ArgumentException.With.Message.Contains("KeyPrefix").And.Message.Contains("CompletedRecordTtl"));
    }
}
