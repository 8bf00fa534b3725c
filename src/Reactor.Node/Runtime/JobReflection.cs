namespace Reactor.Node.Runtime;

/// <summary>What <c>args["job_itself"]</c> holds when <c>MergeJobItselfToArgs</c> is on.</summary>
internal static class JobReflection
{
    public static Dictionary<string, object?> Describe(NodeJob job, string node)
    {
        var record = job.Record;
        return new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["id"] = record.Id,
            ["name"] = record.Name,
            ["args"] = job.StoredArgs().ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal),
            ["attempt"] = record.Attempt,
            ["status"] = record.Status.ToStoredName(),
            ["make_after"] = record.MakeAfter?.TotalSeconds,
            ["run_at"] = record.RunAt?.UtcDateTime,
            ["period"] = record.Period?.TotalSeconds,
            ["node"] = node,
            ["distributor"] = record.Distributor,
            ["on_success"] = record.OnSuccess,
            ["on_error"] = record.OnError,
        };
    }
}
