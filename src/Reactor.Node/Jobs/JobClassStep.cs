using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Reactor.Protocol.Jobs;

namespace Reactor.Node.Jobs;

/// <summary>
/// A job, callback or errback given as a class implementing <see cref="IJob"/> or <see cref="IJob{TArgs}"/>:
/// each run resolves (or constructs) the class from the run's scope, binds typed args, and runs it.
/// </summary>
[UnconditionalSuppressMessage("Trimming", "IL2060", Justification = "Job classes are activated by reflection on purpose.")]
[UnconditionalSuppressMessage("Trimming", "IL2067", Justification = "Job classes are activated by reflection on purpose.")]
[UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "Job classes are activated by reflection on purpose.")]
[UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Job classes are activated by reflection on purpose.")]
internal static class JobClassStep
{
    private static readonly MethodInfo InvokeTypedMethod =
        typeof(JobClassStep).GetMethod(nameof(InvokeTyped), BindingFlags.NonPublic | BindingFlags.Static)!;

    private static readonly ConcurrentDictionary<Type, Func<object, JobContext, object, Task>> Invokers = new();

    /// <summary>Builds the step, or throws <see cref="JobDefinitionException"/> saying why the type cannot be a job.</summary>
    public static JobStep Create(string name, Type type, string source)
    {
        if (!type.IsClass || type.IsAbstract || type.ContainsGenericParameters)
        {
            throw new JobDefinitionException($"{source}: {type.FullName} for '{name}' must be a non-abstract, non-generic class");
        }
        var typed = type.GetInterfaces().Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IJob<>)).ToList();
        var plain = typeof(IJob).IsAssignableFrom(type);
        if (typed.Count + (plain ? 1 : 0) != 1)
        {
            throw new JobDefinitionException(typed.Count + (plain ? 1 : 0) == 0
                ? $"{source}: {type.FullName} for '{name}' implements neither IJob nor IJob<TArgs>"
                : $"{source}: {type.FullName} for '{name}' implements more than one of IJob and IJob<TArgs>; the node cannot tell which to run");
        }
        if (plain)
        {
            return new JobStep(name, async context => await ((IJob)Activate(context, type)).RunAsync(context, context.CancellationToken).ConfigureAwait(true));
        }
        var argsType = typed[0].GetGenericArguments()[0];
        var invoke = Invokers.GetOrAdd(argsType,
            t => InvokeTypedMethod.MakeGenericMethod(t).CreateDelegate<Func<object, JobContext, object, Task>>());
        return new JobStep(name, async context =>
        {
            // Bound before the class is created: bad args are the caller's error, whatever the class needs.
            var args = Bind(context, argsType, name);
            await invoke(Activate(context, type), context, args).ConfigureAwait(true);
        });
    }

    private static object Activate(JobContext context, Type type) =>
        ActivatorUtilities.GetServiceOrCreateInstance(context.Services, type);

    private static object Bind(JobContext context, Type argsType, string name)
    {
        try
        {
            return ArgsBinder.Bind(context.Args, argsType, "");
        }
        catch (JobArgsException e)
        {
            throw new JobArgsException($"args of '{name}' do not fit {argsType.Name}: {e.Message}", e);
        }
    }

    private static Task InvokeTyped<TArgs>(object job, JobContext context, object args) =>
        ((IJob<TArgs>)job).RunAsync(context, (TArgs)args, context.CancellationToken);
}
