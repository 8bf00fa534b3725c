using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Reactor.TestJobs;

/// <summary>Job classes with dependency injection, typed args, cancellation and progress (issue 15).</summary>
public sealed class ClassJobs : IJobModule
{
    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services)
    {
        services.AddScoped<RunLedger>();
        services.AddSingleton<Greeter>();
    }

    /// <inheritdoc />
    public void Register(IJobRegistry jobs)
    {
        ArgumentNullException.ThrowIfNull(jobs);

        jobs.Job<ScopedJob>("class_scoped");
        jobs.JobCallback<ScopedCallback>("class_scoped", "same_scope");
        jobs.Job("class_disposed", args => args["disposed"] = RunLedger.Disposed.ToList());

        jobs.Job<InvoiceJob>("class_typed");
        jobs.Job<NeedsMissingService>("class_missing_service");
        jobs.Job<ThrowingConstructor>("class_ctor_throws");
        jobs.Job<FailingJob>("class_fails");
        jobs.JobErrback<ErrorNote>("class_fails", "note");

        jobs.Job("wait_for_cancel", WaitForCancelAsync);
        jobs.Job("ignore_cancel", async args =>
        {
            // Ignores its token on purpose: a delay without it.
            await Task.Delay(args.Get<int>("ms"));
            args["finished"] = true;
        });

        jobs.Job("progress_steps", async (args, ct) =>
        {
            var steps = args.Get<int>("steps");
            for (var i = 1; i <= steps; i++)
            {
                await Task.Delay(args.Get<int>("ms"), ct);
                args.ReportProgress((double)i / steps, $"step {i}/{steps}");
            }
        });

        jobs.Job("progress_flood", async (args, ct) =>
        {
            // As many reports as the loop can make for `ms` milliseconds, yielding now and then so the
            // node's loop (and its heartbeats) still turn.
            var watch = Stopwatch.StartNew();
            var reports = 0L;
            while (watch.ElapsedMilliseconds < args.Get<int>("ms"))
            {
                for (var i = 0; i < 1000; i++)
                {
                    args.ReportProgress(0.5, "flooding");
                    reports++;
                }
                await Task.Yield();
            }
            args.ReportProgress(1.0, "done");
            args["reports"] = reports + 1;
            args["elapsed_ms"] = watch.ElapsedMilliseconds;
        });
    }

    // Blocks only on the node named in "block_on" (every node when absent), until its token fires.
    private static async Task WaitForCancelAsync(JobArgs args, CancellationToken cancellationToken)
    {
        var blockOn = args.Get<string?>("block_on", null);
        args["node"] = Environment.GetEnvironmentVariable("REACTOR_NODE_NAME") ?? "";
        if (blockOn is not null && blockOn != (string)args["node"]!)
        {
            return;
        }
        // Tells the test the job is running (and proves progress reaches the app lambda).
        args.ReportProgress(0, "waiting for cancellation");
        var watch = Stopwatch.StartNew();
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            args["saw_cancel"] = true;
            args["cancelled_after_ms"] = watch.Elapsed.TotalMilliseconds;
            throw;
        }
    }
}

/// <summary>A scoped service that records its own disposal, so a later job can tell the scope ended.</summary>
public sealed class RunLedger : IDisposable
{
    /// <summary>Ids of every disposed ledger in this process.</summary>
    public static readonly ConcurrentQueue<string> Disposed = new();

    /// <summary>This instance's id.</summary>
    public string Id { get; } = Guid.NewGuid().ToString("N");

    /// <inheritdoc />
    public void Dispose() => Disposed.Enqueue(Id);
}

/// <summary>A singleton the module registers.</summary>
public sealed class Greeter
{
    /// <summary>Greets.</summary>
    public string Greet(string name) => "hello " + name;
}

/// <summary>A job class with a scoped and a singleton dependency.</summary>
public sealed class ScopedJob(RunLedger ledger, Greeter greeter) : IJob
{
    /// <inheritdoc />
    public Task RunAsync(JobContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Args["job_ledger"] = ledger.Id;
        context.Args["greeting"] = greeter.Greet(context.Args.Get<string>("who"));
        context.Args["job_id_seen"] = context.JobId;
        return Task.CompletedTask;
    }
}

/// <summary>A callback class: gets the same scoped ledger as its job.</summary>
public sealed class ScopedCallback(RunLedger ledger) : IJob
{
    /// <inheritdoc />
    public Task RunAsync(JobContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Args["callback_ledger"] = ledger.Id;
        return Task.CompletedTask;
    }
}

/// <summary>Typed args of <see cref="InvoiceJob"/>.</summary>
public sealed record InvoiceArgs(Guid InvoiceId, decimal Amount, string Customer, int Copies = 1);

/// <summary>A job with typed args.</summary>
public sealed class InvoiceJob : IJob<InvoiceArgs>
{
    /// <inheritdoc />
    public Task RunAsync(JobContext context, InvoiceArgs args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(args);
        context.Args["total"] = args.Amount * args.Copies;
        context.Args["invoice"] = args.InvoiceId;
        context.Args["sent_to"] = args.Customer;
        return Task.CompletedTask;
    }
}

/// <summary>A service nobody registers.</summary>
public interface IUnregisteredMailer
{
}

/// <summary>Needs a service nobody registered.</summary>
public sealed class NeedsMissingService(IUnregisteredMailer mailer) : IJob
{
    /// <inheritdoc />
    public Task RunAsync(JobContext context, CancellationToken cancellationToken) => Task.FromResult(mailer);
}

/// <summary>Its constructor throws.</summary>
public sealed class ThrowingConstructor : IJob
{
    /// <summary>Throws.</summary>
    public ThrowingConstructor() => throw new InvalidOperationException("the constructor refused to build");

    /// <inheritdoc />
    public Task RunAsync(JobContext context, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Always fails.</summary>
public sealed class FailingJob : IJob
{
    /// <inheritdoc />
    public Task RunAsync(JobContext context, CancellationToken cancellationToken) => throw new InvalidOperationException("class job failed");
}

/// <summary>An errback class: sees the error, and the same scoped ledger.</summary>
public sealed class ErrorNote(RunLedger ledger) : IJob
{
    /// <inheritdoc />
    public Task RunAsync(JobContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Args["noted_error"] = context.Error;
        context.Args["errback_ledger"] = ledger.Id;
        return Task.CompletedTask;
    }
}
