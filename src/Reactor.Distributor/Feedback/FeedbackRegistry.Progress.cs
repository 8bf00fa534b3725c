using Microsoft.Extensions.Logging;

namespace Reactor.Distributor.Feedback;

// Progress reports go through the same delivery loop as results, so the app's progress lambda sees a
// job's reports in the order the node sent them, and all of them before the job's final feedback.
internal sealed partial class FeedbackRegistry
{
    /// <summary>Routes a node's progress report to the app's progress feedback, if it asked for one.</summary>
    public void Progress(Protocol.Messages.Progress progress)
    {
        if (_entries.TryGetValue(progress.JobId, out var feedback) && feedback.OnProgress is not null)
        {
            var report = new JobProgress(progress.JobId, progress.Attempt, progress.Fraction, progress.Message);
            _deliveries.Writer.TryWrite(new Delivery(feedback, null!, Journaled: false, report));
        }
    }

    private void DeliverProgress(JobFeedback feedback, JobProgress progress)
    {
        try
        {
            feedback.OnProgress!(progress);
        }
        catch (Exception e)
        {
            LogProgressFeedbackThrew(_logger, feedback.Name, progress.JobId, e);
        }
    }

    [LoggerMessage(EventId = 301, Level = LogLevel.Error, Message = "Progress feedback for job {Name} {JobId} threw")]
    private static partial void LogProgressFeedbackThrew(ILogger logger, string name, string jobId, Exception exception);
}
