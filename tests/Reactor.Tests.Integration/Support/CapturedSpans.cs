using System.Diagnostics;
using Reactor.Protocol.Diagnostics;

namespace Reactor.Tests.Integration.Support;

/// <summary>
/// Listens to the Reactor activity source in this process, sampling everything, and keeps every span
/// that stops; tests wait on them (no polling) and read their parentage and tags.
/// </summary>
internal sealed class CapturedSpans : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly List<Activity> _stopped = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public CapturedSpans()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ReactorTracing.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = OnStopped,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public IReadOnlyList<Activity> Stopped
    {
        get
        {
            lock (_stopped)
            {
                return [.. _stopped];
            }
        }
    }

    /// <summary>Waits until <paramref name="count"/> stopped spans match <paramref name="match"/>; returns them in stop order.</summary>
    public async Task<IReadOnlyList<Activity>> WaitForAsync(Func<Activity, bool> match, int count, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            Task changed;
            lock (_stopped)
            {
                var found = _stopped.Where(match).ToList();
                if (found.Count >= count)
                {
                    return found;
                }
                changed = _changed.Task;
            }
            try
            {
                await changed.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                var seen = string.Join("\n", Stopped.Select(a => $"  {a.DisplayName} {a.Kind} {a.TraceId}/{a.SpanId} <- {a.ParentSpanId}"));
                throw new TimeoutException($"{count} matching spans did not stop within {timeout}; stopped:\n{seen}");
            }
        }
    }

    public static Func<Activity, bool> ForJob(string jobId, ActivityKind kind) =>
        a => a.Kind == kind && Equals(a.GetTagItem(ReactorTracing.JobId), jobId);

    private void OnStopped(Activity activity)
    {
        TaskCompletionSource changed;
        lock (_stopped)
        {
            _stopped.Add(activity);
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        changed.TrySetResult();
    }

    public void Dispose() => _listener.Dispose();
}
