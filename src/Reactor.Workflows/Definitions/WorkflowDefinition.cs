namespace Reactor.Workflows;

/// <summary>
/// One workflow, whatever file format it came from: a graph of steps. A Distribot phase is a step
/// whose dependency is the phase that transitions to it; a workflow-manager step keeps its
/// <c>depends</c>. A step starts once every dependency finished, runs its handlers (and fan-out
/// items) as tasks, and finishes when all of them finished.
/// </summary>
public sealed class WorkflowDefinition
{
    private readonly Dictionary<string, StepDefinition> _byName;

    internal WorkflowDefinition(string name, string source, IReadOnlyList<StepDefinition> steps)
    {
        Name = name;
        Source = source;
        Steps = steps;
        _byName = steps.ToDictionary(s => s.Name, StringComparer.Ordinal);
    }

    /// <summary>The workflow's name, as given to <c>StartWorkflow</c>.</summary>
    public string Name { get; }

    /// <summary>The file (or other source) it was read from, for error messages.</summary>
    public string Source { get; }

    /// <summary>The steps in dependency order: every step comes after all it depends on.</summary>
    public IReadOnlyList<StepDefinition> Steps { get; }

    /// <summary>The step called <paramref name="name"/>; throws <see cref="KeyNotFoundException"/> naming it.</summary>
    public StepDefinition this[string name] =>
        _byName.TryGetValue(name, out var step) ? step : throw new KeyNotFoundException($"workflow '{Name}' has no step '{name}'");

    /// <summary>True when a step of that name exists.</summary>
    public bool HasStep(string name) => _byName.ContainsKey(name);

    /// <summary>True when <paramref name="ancestor"/> must finish, directly or transitively, before <paramref name="step"/> starts.</summary>
    public bool IsAncestor(string ancestor, string step)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>(this[step].Depends);
        while (stack.TryPop(out var current))
        {
            if (current == ancestor)
            {
                return true;
            }
            if (seen.Add(current))
            {
                foreach (var dep in this[current].Depends)
                {
                    stack.Push(dep);
                }
            }
        }
        return false;
    }

    /// <summary>Steps entered only through another step's error transition.</summary>
    public bool IsErrorOnly(string step) =>
        this[step].Depends.Count == 0 && !this[step].IsInitial && Steps.Any(s => s.OnError == step);
}

/// <summary>One step (a Distribot phase, a workflow-manager step).</summary>
/// <param name="Name">Unique within the workflow.</param>
/// <param name="Depends">Steps that must all finish before this one starts.</param>
/// <param name="Handlers">Tasks started when the step starts (each may fan out further).</param>
/// <param name="FanOut">Per-item sub-tasks over a list in the step's input, or null.</param>
/// <param name="OnError">Step entered when a task of this one fails after its retries; null fails the workflow.</param>
/// <param name="IsInitial">Starts when the workflow starts.</param>
/// <param name="IsFinal">Declared final (Distribot); the workflow finishes once no step runs.</param>
/// <param name="AnyDependency">
/// Starts when any one dependency finished (a Distribot phase entered from one of several phases)
/// rather than all of them (a DAG join).
/// </param>
public sealed record StepDefinition(
    string Name,
    IReadOnlyList<string> Depends,
    IReadOnlyList<HandlerDefinition> Handlers,
    FanOutDefinition? FanOut,
    string? OnError,
    bool IsInitial,
    bool IsFinal,
    bool AnyDependency = false);

/// <summary>What runs one task: a Reactor job, or, with <paramref name="Queue"/>, an AMQP worker.</summary>
/// <param name="Name">The job name (or, for queue handlers, a label).</param>
/// <param name="Version">Optional handler version, passed to the job as <c>handler_version</c>.</param>
/// <param name="Queue">AMQP queue served by an external worker; null runs the Reactor job <paramref name="Name"/>.</param>
public sealed record HandlerDefinition(string Name, string? Version = null, string? Queue = null);

/// <summary>Sub-tasks fanned out over the list found at <paramref name="ItemListKey"/> in the step's input.</summary>
/// <param name="Task">The task's name in the definition file.</param>
/// <param name="ItemListKey">Key of the list in the step input; one task per element.</param>
/// <param name="Chain">Handlers each item runs through, in order; the last one's output is collected.</param>
public sealed record FanOutDefinition(string Task, string ItemListKey, IReadOnlyList<HandlerDefinition> Chain);
