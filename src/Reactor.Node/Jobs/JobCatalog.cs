using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Reactor.Node.Jobs;

/// <summary>
/// The jobs a node can run, by name (ordinal). It is filled while the jobs directory loads, then
/// <see cref="Validate"/> seals it: job runners read it from many threads, so it must not change afterwards.
/// </summary>
internal sealed class JobCatalog : IJobRegistry
{
    public const int MaxNameLength = 200;

    private readonly Dictionary<string, JobDefinition> _jobs = new(StringComparer.Ordinal);
    private readonly List<string> _names = [];

    // Callbacks may be declared before their job (in any file). The first declaration is remembered so that
    // a job which never arrives can be blamed on the file that expected it.
    private readonly Dictionary<string, string> _firstReference = new(StringComparer.Ordinal);

    private bool _sealed;

    /// <summary>The file (or module) whose definitions are being added; error messages name it.</summary>
    public string Source { get; set; } = "(unknown source)";

    /// <summary>The defined jobs, in definition order.</summary>
    public IReadOnlyCollection<string> Names => _names;

    /// <summary>Finds a defined job; a name only seen in callbacks is not a job.</summary>
    public bool TryGet(string name, [MaybeNullWhen(false)] out JobDefinition job)
    {
        if (_jobs.TryGetValue(name, out job) && job.Body is not null)
        {
            return true;
        }
        job = null;
        return false;
    }

    /// <summary>
    /// Also names every job <c>{service}.{job}</c> (announced to distributors, accepted in dispatches).
    /// Runs once, after <see cref="Validate"/> and before the catalog is shared with runners.
    /// </summary>
    internal void Qualify(string service)
    {
        foreach (var name in _names.ToList())
        {
            var qualified = service + "." + name;
            if (_jobs.TryAdd(qualified, _jobs[name]))
            {
                _names.Add(qualified);
            }
        }
    }

    /// <summary>Services the jobs-directory modules registered (<see cref="IJobModule.ConfigureServices"/>).</summary>
    public Microsoft.Extensions.DependencyInjection.IServiceCollection ModuleServices { get; } =
        new Microsoft.Extensions.DependencyInjection.ServiceCollection();

    public void Job(string name, Action<JobArgs> job) => Define(Source, name, JobStep.From(name, job));

    public void Job(string name, Func<JobArgs, Task> job) => Define(Source, name, JobStep.From(name, job));

    public void Job(string name, Func<JobArgs, CancellationToken, Task> job) => Define(Source, name, JobStep.From(name, job));

    public void Job<TJob>(string name)
        where TJob : class => Define(Source, name, JobClassStep.Create(name, typeof(TJob), Source));

    public void JobCallback(string name, string callbackName, Action<JobArgs> callback) =>
        AddCallback(Source, name, JobStep.From(callbackName, callback));

    public void JobCallback(string name, string callbackName, Func<JobArgs, Task> callback) =>
        AddCallback(Source, name, JobStep.From(callbackName, callback));

    public void JobCallback(string name, string callbackName, Func<JobArgs, CancellationToken, Task> callback) =>
        AddCallback(Source, name, JobStep.From(callbackName, callback));

    public void JobCallback<TCallback>(string name, string callbackName)
        where TCallback : class => AddCallback(Source, name, JobClassStep.Create(callbackName, typeof(TCallback), Source));

    public void JobErrback(string name, string errbackName, Action<JobArgs> errback) =>
        AddErrback(Source, name, JobStep.From(errbackName, errback));

    public void JobErrback(string name, string errbackName, Func<JobArgs, Task> errback) =>
        AddErrback(Source, name, JobStep.From(errbackName, errback));

    public void JobErrback(string name, string errbackName, Func<JobArgs, CancellationToken, Task> errback) =>
        AddErrback(Source, name, JobStep.From(errbackName, errback));

    public void JobErrback<TErrback>(string name, string errbackName)
        where TErrback : class => AddErrback(Source, name, JobClassStep.Create(errbackName, typeof(TErrback), Source));

    internal void Define(string source, string name, JobStep body)
    {
        CheckName(name, "job name", source);
        var job = Entry(name);
        if (job.Body is not null)
        {
            throw new JobDefinitionException(job.Source == source
                ? $"job '{name}' is defined twice in {source}"
                : $"job '{name}' is defined twice: in {job.Source} and in {source}");
        }
        job.Body = body;
        job.Source = source;
        _names.Add(name);
    }

    internal void AddCallback(string source, string name, JobStep callback) =>
        Reference(source, name, callback, "callback").Callbacks.Add(callback);

    internal void AddErrback(string source, string name, JobStep errback) =>
        Reference(source, name, errback, "errback").Errbacks.Add(errback);

    /// <summary>
    /// Refuses a catalog with no jobs or with callbacks for jobs that were never defined, then seals it.
    /// </summary>
    public void Validate()
    {
        var undefined = _jobs.Values
            .Where(job => job.Body is null)
            .Select(job => $"job '{job.Name}' is never defined, but {_firstReference[job.Name]} for it")
            .ToList();
        if (undefined.Count > 0)
        {
            throw new JobDefinitionException(string.Join(Environment.NewLine, undefined));
        }
        if (_names.Count == 0)
        {
            throw new JobDefinitionException("no job is defined");
        }
        _sealed = true;
    }

    private JobDefinition Reference(string source, string name, JobStep step, string kind)
    {
        CheckName(name, "job name", source);
        CheckName(step.Name, kind + " name", source);
        var job = Entry(name);
        _firstReference.TryAdd(name, $"{source} declares {kind} '{step.Name}'");
        return job;
    }

    private JobDefinition Entry(string name)
    {
        if (_sealed)
        {
            // A job body that captured the registry must not mutate the catalog while runners read it.
            throw new InvalidOperationException("jobs can only be defined while the jobs directory loads");
        }
        if (!_jobs.TryGetValue(name, out var job))
        {
            job = new JobDefinition(name);
            _jobs.Add(name, job);
        }
        return job;
    }

    private static void CheckName([NotNull] string? name, string what, string source)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new JobDefinitionException($"{source}: a {what} must not be empty");
        }
        if (name.Length > MaxNameLength)
        {
            throw new JobDefinitionException(
                $"{source}: {what} '{Printable(name[..40])}...' is {name.Length} characters long; the limit is {MaxNameLength}");
        }
        if (name.Any(char.IsControl))
        {
            throw new JobDefinitionException($"{source}: {what} '{Printable(name)}' contains a control character");
        }
    }

    // Control characters would garble the message (or the log line) that reports them.
    private static string Printable(string name)
    {
        var text = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            if (char.IsControl(c))
            {
                text.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
            else
            {
                text.Append(c);
            }
        }
        return text.ToString();
    }
}
