namespace Reactor.Dashboard.Data;

/// <summary>Job statuses as the dashboard names them in URLs and labels.</summary>
internal static class StatusNames
{
    public static readonly (JobStatus Status, string Name, string Label)[] All =
    [
        (JobStatus.Failed, "failed", "Failed"),
        (JobStatus.Error, "retrying", "Retrying"),
        (JobStatus.Queued, "scheduled", "Scheduled"),
        (JobStatus.New, "new", "New"),
        (JobStatus.InProgress, "running", "In progress"),
        (JobStatus.Cancelled, "cancelled", "Cancelled"),
        (JobStatus.Complete, "completed", "Completed"),
    ];

    public static string Of(JobStatus status) => All.First(s => s.Status == status).Name;

    public static JobStatus? Parse(string? name) =>
        All.FirstOrDefault(s => s.Name == name) is { Name: not null } found ? found.Status : null;
}
