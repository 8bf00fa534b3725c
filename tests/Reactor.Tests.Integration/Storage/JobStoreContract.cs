using NUnit.Framework;
using Reactor.Storage;

namespace Reactor.Tests.Integration.Storage;

/// <summary>
/// What every <see cref="IJobStore"/> must do, run once per backend by a subclass. Tests only use the
/// nodes in <see cref="Nodes"/>, so a backend can clean up after them without enumerating keys.
/// </summary>
public abstract partial class JobStoreContract
{
    protected const string NodeA = "node-a";
    protected const string NodeB = "node-b";
    protected const string NodeC = "node-c";
    protected static readonly string[] Nodes = [NodeA, NodeB, NodeC];

    protected IJobStore Store { get; private set; } = null!;

    protected abstract Task<IJobStore> CreateStoreAsync();

    /// <summary>Removes what a test left behind; called before the store is disposed.</summary>
    protected virtual Task CleanUpAsync(IJobStore store) => Task.CompletedTask;

    [SetUp]
    public async Task CreateStore() => Store = await CreateStoreAsync();

    [TearDown]
    public async Task DisposeStore()
    {
        await CleanUpAsync(Store);
        await Store.DisposeAsync();
    }

    [Test]
    public async Task Save_then_load_round_trips_every_field()
    {
        var job = FullJob("job-1", NodeA);

        await Store.SaveAsync(job);
        var loaded = await Store.LoadAsync("job-1");

        AssertSameRecord(loaded, job);
        var list = (IList<object?>)loaded!.Args["list"]!;
        var inner = (IDictionary<string, object?>)list[2]!;
        Assert.That(inner["three"], Is.EqualTo(3.5));
    }

    [Test]
    public async Task Load_of_an_unknown_id_returns_null() =>
        Assert.That(await Store.LoadAsync("no-such-job"), Is.Null);

    [Test]
    public async Task Saving_again_replaces_every_field_and_clears_unset_ones()
    {
        await Store.SaveAsync(FullJob("job-1", NodeA));
        var replacement = NewJob("job-1", NodeA, status: JobStatus.Queued);
        replacement.Args = new JobArgs { ["fresh"] = "start" };

        await Store.SaveAsync(replacement);

        AssertSameRecord(await Store.LoadAsync("job-1"), replacement);
    }

    [Test]
    public async Task Delete_removes_the_record_once()
    {
        await Store.SaveAsync(NewJob("job-1", NodeA));

        Assert.That(await Store.DeleteAsync("job-1"), Is.True);
        Assert.That(await Store.DeleteAsync("job-1"), Is.False);
        Assert.That(await Store.LoadAsync("job-1"), Is.Null);
        Assert.That(await Store.JobsForAsync(NodeA), Is.Empty);
    }

    [Test]
    public async Task JobsFor_returns_only_that_nodes_jobs()
    {
        await SaveAllAsync(["a1", "a2", "a3"], NodeA);
        await SaveAllAsync(["b1", "b2"], NodeB);

        Assert.That(Ids(await Store.JobsForAsync(NodeA)), Is.EquivalentTo(new[] { "a1", "a2", "a3" }));
        Assert.That(Ids(await Store.JobsForAsync(NodeB)), Is.EquivalentTo(new[] { "b1", "b2" }));
        Assert.That(await Store.JobsForAsync(NodeC), Is.Empty);
    }

    [Test]
    public async Task DeleteAllFor_removes_that_nodes_jobs_only_and_counts_them()
    {
        await SaveAllAsync(["a1", "a2", "a3"], NodeA);
        await SaveAllAsync(["b1", "b2"], NodeB);

        Assert.That(await Store.DeleteAllForAsync(NodeA), Is.EqualTo(3));

        Assert.That(await Store.JobsForAsync(NodeA), Is.Empty);
        Assert.That(await Store.LoadAsync("a1"), Is.Null);
        Assert.That(Ids(await Store.JobsForAsync(NodeB)), Is.EquivalentTo(new[] { "b1", "b2" }));
        Assert.That(await Store.DeleteAllForAsync(NodeA), Is.Zero);
    }

    [Test]
    public async Task Changing_the_node_moves_the_job_between_nodes()
    {
        await Store.SaveAsync(NewJob("job-1", NodeA));

        await Store.SaveAsync(NewJob("job-1", NodeB));

        Assert.That(await Store.JobsForAsync(NodeA), Is.Empty);
        Assert.That(Ids(await Store.JobsForAsync(NodeB)), Is.EqualTo(new[] { "job-1" }));
        Assert.That((await Store.LoadAsync("job-1"))!.Node, Is.EqualTo(NodeB));
        Assert.That(await Store.DeleteAllForAsync(NodeA), Is.Zero, "the old node must not own the moved job");
        Assert.That(await Store.LoadAsync("job-1"), Is.Not.Null);
    }

    [Test]
    public async Task Concurrent_saves_from_many_tasks_are_all_visible()
    {
        var ids = Enumerable.Range(0, 400).Select(i => $"job-{i}").ToArray();

        await Task.WhenAll(ids.Chunk(10).Select((chunk, task) => Task.Run(async () =>
        {
            foreach (var id in chunk)
            {
                await Store.SaveAsync(NewJob(id, task % 2 == 0 ? NodeA : NodeB));
            }
        })));

        var all = Ids(await Store.JobsForAsync(NodeA)).Concat(Ids(await Store.JobsForAsync(NodeB)));
        Assert.That(all, Is.EquivalentTo(ids));
    }

    [Test]
    public async Task Concurrent_saves_of_one_job_leave_it_under_exactly_one_node()
    {
        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(async () =>
            await Store.SaveAsync(NewJob("contended", i % 2 == 0 ? NodeA : NodeB, attempt: i)))));

        var owner = (await Store.LoadAsync("contended"))!.Node;
        var other = owner == NodeA ? NodeB : NodeA;
        Assert.That(Ids(await Store.JobsForAsync(owner)), Is.EqualTo(new[] { "contended" }));
        Assert.That(await Store.JobsForAsync(other), Is.Empty);
    }

    private async Task SaveAllAsync(string[] ids, string node)
    {
        foreach (var id in ids)
        {
            await Store.SaveAsync(NewJob(id, node));
        }
    }

    private static IEnumerable<string> Ids(IEnumerable<JobRecord> jobs) => jobs.Select(job => job.Id);
}
