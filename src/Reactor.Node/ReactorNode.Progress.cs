using Reactor.Node.Runtime;
using Reactor.Protocol.Messages;

namespace Reactor;

// Progress reports: sent to the distributor that owns the job (at the gate's bounded rate) and kept on
// the job's stored record, where `reactor monitor` shows the last one. Informational: a report for a job
// whose connection is gone is dropped rather than queued, and never fails the job.
public sealed partial class ReactorNode
{
    // Any thread: job code reports from the loop, and from the thread pool in Defer jobs.
    private void OnProgress(NodeJob job, int token, Progress progress)
    {
        lock (_routesGate)
        {
            if (job.Link is { } link && !IsStale(job))
            {
                link.Send(progress);
            }
        }
        if (_loop.IsOnLoop)
        {
            RecordProgress(new ProgressNote(this, job, token, progress));
        }
        else
        {
            _loop.Post(RecordProgressCallback, new ProgressNote(this, job, token, progress));
        }
    }

    private static readonly SendOrPostCallback RecordProgressCallback = static state => RecordProgress((ProgressNote)state!);

    private static void RecordProgress(ProgressNote note)
    {
        var (node, job, token, progress) = note;
        if (job.Ended || token != job.AttemptToken)
        {
            return;
        }
        job.Record.Progress = progress.Fraction;
        job.Record.ProgressMessage = progress.Message;
        // Only while the attempt runs: its end writes the record anyway, and a late write could
        // bring back a record that the end deleted.
        if (job.Running)
        {
            node.Persist(job);
        }
    }

    private sealed record ProgressNote(ReactorNode Node, NodeJob Job, int Token, Progress Progress);
}
