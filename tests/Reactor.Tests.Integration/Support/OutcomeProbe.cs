using System.Collections.Concurrent;
using System.Diagnostics;
using NUnit.Framework;
using Reactor.Protocol.Diagnostics;

namespace Reactor.Tests.Integration.Support;

/// <summary>
/// Enqueues a job with <c>EnqueueAsync</c> or with the three feedback lambdas and checks that both saw the
/// same outcome: the helper of the outcome tests (one outcome from the node's decision to the app).
/// </summary>
internal sealed class OutcomeProbe(ReactorDistributor distributor, CapturedSpans spans)
{
    /// <summary>
    /// <c>EnqueueAsync</c>, and the id of the job it queued, read from its publish span (tag
    /// <c>messaging.message.id</c>): the span ends once the job is queued, before the result.
    /// </summary>
    public (string Id, Task<JobResult> Result) EnqueueAwaited(string name, object? args, EnqueueOptions? options)
    {
        using var scope = new Activity("outcome-test").Start();
        var result = distributor.EnqueueAsync(name, args, options);
        var span = spans.Stopped.Single(a => a.ParentSpanId == scope.SpanId);
        return ((string)span.GetTagItem(ReactorTracing.MessagingMessageId)!, result);
    }

    public (string Id, Lambdas Lambdas) EnqueueWithLambdas(string name, object? args, EnqueueOptions? options, bool withCancelled = true)
    {
        var lambdas = new Lambdas();
        var id = distributor.Enqueue(name, args, options,
            success: a => lambdas.Ran("success", a),
            error: a => lambdas.Ran("error", a),
            cancelled: withCancelled ? a => lambdas.Ran("cancelled", a) : null);
        return (id, lambdas);
    }

    /// <summary>The awaited result and the lambda that ran agree with each other and with what is expected.</summary>
    public static void AssertAgree(JobResult awaited, Heard heard, JobOutcome outcome, JobOutcomeReason reason, string? error)
    {
        var lambda = outcome switch
        {
            JobOutcome.Succeeded => "success",
            JobOutcome.Cancelled => "cancelled",
            _ => "error",
        };
        Assert.Multiple(() =>
        {
            Assert.That(awaited.Outcome, Is.EqualTo(outcome), "EnqueueAsync's outcome");
            Assert.That(awaited.Reason, Is.EqualTo(reason), "EnqueueAsync's reason");
            Assert.That(heard.Lambda, Is.EqualTo(lambda), "the lambda that ran");
            if (error is null)
            {
                Assert.That(awaited.Error, Is.Null);
                Assert.That(heard.Args.ContainsKey("error"), Is.False);
            }
            else
            {
                Assert.That(awaited.Error, Does.StartWith(error));
                Assert.That(awaited.Args.Get<string>("error"), Is.EqualTo(awaited.Error), "one text: args[\"error\"] is the Error field");
                Assert.That(heard.Args.Get<string>("error"), Is.EqualTo(awaited.Error), "the lambda reads the same text");
            }
        });
    }

    internal sealed record Heard(string Lambda, JobArgs Args);

    /// <summary>Records every lambda call; <see cref="Heard"/> completes with the first.</summary>
    internal sealed class Lambdas
    {
        private readonly TaskCompletionSource<Heard> _first = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ConcurrentQueue<Heard> Calls { get; } = new();

        public Task<Heard> Heard => _first.Task;

        public void Ran(string lambda, JobArgs args)
        {
            var heard = new Heard(lambda, args);
            Calls.Enqueue(heard);
            _first.TrySetResult(heard);
        }
    }
}
