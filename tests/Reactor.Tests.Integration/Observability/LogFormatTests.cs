using System.Text.Json;
using NUnit.Framework;
using Reactor.Tests.Integration.Support;

namespace Reactor.Tests.Integration.Observability;

/// <summary><c>reactor node --log-format json</c>: one JSON object per line, job id and name in each job's entries.</summary>
[TestFixture]
[CancelAfter(120_000)]
[NonParallelizable]
public sealed class LogFormatTests
{
    [TestCase(true, TestName = "Log_format_json_writes_one_object_per_line_with_job_id_name_and_duration")]
    [TestCase(false, TestName = "Logging__Console__FormatterName_json_selects_the_json_formatter_too")]
    public async Task Json_lines(bool byOption)
    {
        await using var cluster = await Cluster.StartAsync();
        string[] args = byOption ? ["--log-format", "json"] : [];
        var previous = Environment.GetEnvironmentVariable("Logging__Console__FormatterName");
        NodeProcess node;
        try
        {
            // The child inherits the test process's environment.
            Environment.SetEnvironmentVariable("Logging__Console__FormatterName", byOption ? null : "json");
            node = NodeProcess.Start("json", cluster.Address, Cluster.JobsDirectory, [.. args, "--log-job-processing", "true"]);
        }
        finally
        {
            Environment.SetEnvironmentVariable("Logging__Console__FormatterName", previous);
        }
        await using var running = node;
        await cluster.WaitForNodesAsync(1);
        var result = await cluster.Distributor.EnqueueAsync("add", new { a = 1, b = 2 }).WaitAsync(Cluster.Patience);

        JsonElement? finished = null;
        var found = await Wait.UntilAsync(() => (finished = FindFinished(node.Output, result.JobId)) is not null, Cluster.Patience);

        Assert.That(found, Is.True, string.Join("\n", node.Output));
        Assert.That(node.Output.Where(l => l.Length > 0).All(IsJsonObject), Is.True, "every line is one JSON object:\n" + string.Join("\n", node.Output));
        var state = finished!.Value.GetProperty("State");
        Assert.That(state.GetProperty("Name").GetString(), Is.EqualTo("add"));
        Assert.That(state.GetProperty("Outcome").GetString(), Is.EqualTo("Complete"));
        Assert.That(state.TryGetProperty("DurationMs", out _), Is.True);
        Assert.That(finished.Value.GetProperty("Category").GetString(), Is.EqualTo("Reactor.Node"));
    }

    private static JsonElement? FindFinished(IReadOnlyList<string> lines, string jobId)
    {
        foreach (var line in lines.Where(IsJsonObject))
        {
            var root = JsonDocument.Parse(line).RootElement;
            if (root.TryGetProperty("State", out var state) && state.TryGetProperty("JobId", out var id) && id.GetString() == jobId
                && state.TryGetProperty("DurationMs", out _))
            {
                return root.Clone();
            }
        }
        return null;
    }

    private static bool IsJsonObject(string line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
