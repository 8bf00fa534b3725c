using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Reactor;

namespace TypedJobs;

/// <summary>The job's args, bound by property name from the args map (<c>files</c> or <c>Files</c> both work).</summary>
public sealed record ResizeRequest(string[] Files, int Width);

/// <summary>What the app reads back with <c>result.Args.As&lt;ResizeSummary&gt;()</c>.</summary>
public sealed record ResizeSummary(int Resized, int Width, long Milliseconds);

/// <summary>The service the job needs; registered by the host.</summary>
public interface IThumbnailer
{
    Task ResizeAsync(string file, int width, CancellationToken cancellationToken);
}

/// <summary>Pretends to resize: takes 40 ms per image.</summary>
public sealed class PretendThumbnailer : IThumbnailer
{
    public Task ResizeAsync(string file, int width, CancellationToken cancellationToken) => Task.Delay(40, cancellationToken);
}

/// <summary>A scoped service: one per job run, disposed when the run (and its callbacks) ends.</summary>
public sealed class ResizeAudit(ILogger<ResizeAudit> logger) : IDisposable
{
    public int Count { get; set; }

    public void Dispose() => logger.LogDebug("resize run finished after {Count} images", Count);
}

/// <summary>
/// A job class: created per run from the run's DI scope, so the constructor takes what it needs.
/// Writes its results into <see cref="JobContext.Args"/>, which is what the app gets back.
/// </summary>
public sealed class ResizeImages(IThumbnailer thumbnailer, ResizeAudit audit) : IJob<ResizeRequest>
{
    public async Task RunAsync(JobContext context, ResizeRequest args, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < args.Files.Length; i++)
        {
            // Keep what is done so far in the args: a cancelled job's error feedback still shows it.
            context.Args["resized"] = i;
            await thumbnailer.ResizeAsync(args.Files[i], args.Width, cancellationToken);
            audit.Count++;
            context.ReportProgress((i + 1) / (double)args.Files.Length, $"{args.Files[i]} done");
        }
        context.Args["resized"] = args.Files.Length;
        context.Args["width"] = args.Width;
        context.Args["milliseconds"] = watch.ElapsedMilliseconds;
    }
}
