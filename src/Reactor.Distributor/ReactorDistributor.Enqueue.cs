using Reactor.Distribution;
using Reactor.Distribution.Feedback;
using Reactor.Protocol.Messages;

namespace Reactor;

public sealed partial class ReactorDistributor
{
    /// <summary>
    /// Queues a job and returns its id. <paramref name="success"/> runs with the args as the node left
    /// them; <paramref name="error"/> runs with those args plus <c>error</c> after the last attempt
    /// failed. Args that cannot be sent throw <see cref="ArgumentException"/> here and nothing is sent.
    /// </summary>
    public string Enqueue(string name, object? args = null, EnqueueOptions? options = null,
        Action<JobArgs>? success = null, Action<JobArgs>? error = null) =>
        Submit(name, args, options, success, error, completion: null);

    /// <summary>Queues a job and completes with its final result.</summary>
    public Task<JobResult> EnqueueAsync(string name, object? args = null, EnqueueOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var completion = new TaskCompletionSource<JobResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        Submit(name, args, options, null, null, completion);
        return completion.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Cancels a waiting, deferred, periodic or running job.</summary>
    public CancelResult Cancel(string jobId)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        var result = _dispatcher.Cancel(jobId, out var waiting);
        if (waiting is not null)
        {
            _feedback.Fail(jobId, JobOutcome.Cancelled, waiting.Dispatch.Args.Clone(), "cancelled by the application");
        }
        return result;
    }

    private string Submit(string name, object? args, EnqueueOptions? options, Action<JobArgs>? success,
        Action<JobArgs>? error, TaskCompletionSource<JobResult>? completion)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!IsListening || _stopping.IsCancellationRequested)
        {
            throw new InvalidOperationException("the distributor is not running; start it before enqueueing");
        }
        options ??= Defaults;
        options.Validate();
        var jobArgs = JobArgs.From(args);
        // Encoded once here: that validates them, and every send of the dispatch reuses the bytes.
        var encodedArgs = _codec.EncodeArgs(jobArgs);
        if (encodedArgs.Length > _options.Limits.MaxFrameBytes - 1024)
        {
            throw new ArgumentException($"job args take {encodedArgs.Length} bytes; a frame holds at most {_options.Limits.MaxFrameBytes}", nameof(args));
        }
        var now = _time.GetUtcNow();
        var runAt = options.RunAt ?? (options.After is { } after ? now + after : null);
        var id = _ids.Next();
        var dispatch = new Dispatch(id, name, jobArgs,
            runAt?.ToUnixTimeMilliseconds() ?? 0,
            (long)(options.Period?.TotalMilliseconds ?? 0),
            options.Defer,
            options.MaxAttempt ?? 0,
            (long)(options.RetryMultiplier?.TotalMilliseconds ?? 0),
            (long)(options.Timeout?.TotalMilliseconds ?? 0))
        {
            EncodedArgs = encodedArgs,
        };
        var waitFrom = runAt is { } due && due > now ? due : now;
        var job = new JobEnvelope(dispatch, options.Node, options.NotNode, waitFrom + (options.Timeout ?? _options.PendingTimeout));
        // Registered before the job can reach a node: the result may come back before Submit returns.
        _feedback.Register(id, new JobFeedback(name, success, error, completion));
        // Journaled before it can reach a node, so the journal write always precedes the settle
        // that removes it (both are pipelined in order on one Redis connection).
        _journal?.Record(job);
        try
        {
            _dispatcher.Submit(job);
        }
        catch
        {
            _feedback.Forget(id);
            _journal?.Forget(id);
            throw;
        }
        return id;
    }

    private static readonly EnqueueOptions Defaults = new();

    private readonly JobIds _ids = new();
}
