using System.Collections.Concurrent;

namespace Reactor.Tests.Integration.Fuzz;

/// <summary>Collects task exceptions nobody observed while it is alive (a faulted fire-and-forget session or link).</summary>
internal sealed class UnobservedExceptions : IDisposable
{
    private readonly ConcurrentQueue<Exception> _seen = new();

    public UnobservedExceptions() => TaskScheduler.UnobservedTaskException += OnUnobserved;

    /// <summary>Finalizes dead tasks so their unobserved exceptions are reported, then returns them.</summary>
    public IReadOnlyList<Exception> Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return [.. _seen];
    }

    public void Dispose() => TaskScheduler.UnobservedTaskException -= OnUnobserved;

    private void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e)
    {
        _seen.Enqueue(e.Exception);
        e.SetObserved();
    }
}
