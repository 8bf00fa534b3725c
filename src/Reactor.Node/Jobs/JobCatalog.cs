namespace Reactor.Node.Jobs;

// Placeholder replaced by the jobs-loader branch.
internal sealed class JobCatalog : IJobRegistry
{
    private readonly Dictionary<string, JobDefinition> _definitions = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> Names => _definitions.Keys;

    public bool TryGet(string name, out JobDefinition definition) => _definitions.TryGetValue(name, out definition!);

    public void Validate()
    {
    }

    public void Job(string name, Action<JobArgs> job) => Get(name).Body = JobStep.From(name, job);

    public void Job(string name, Func<JobArgs, Task> job) => Get(name).Body = JobStep.From(name, job);

    public void JobCallback(string name, string callbackName, Action<JobArgs> callback) => Get(name).Callbacks.Add(JobStep.From(callbackName, callback));

    public void JobCallback(string name, string callbackName, Func<JobArgs, Task> callback) => Get(name).Callbacks.Add(JobStep.From(callbackName, callback));

    public void JobErrback(string name, string errbackName, Action<JobArgs> errback) => Get(name).Errbacks.Add(JobStep.From(errbackName, errback));

    public void JobErrback(string name, string errbackName, Func<JobArgs, Task> errback) => Get(name).Errbacks.Add(JobStep.From(errbackName, errback));

    private JobDefinition Get(string name)
    {
        if (!_definitions.TryGetValue(name, out var definition))
        {
            _definitions[name] = definition = new JobDefinition(name);
        }
        return definition;
    }
}
