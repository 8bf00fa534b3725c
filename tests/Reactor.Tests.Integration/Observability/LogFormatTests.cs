using System.Diagnostics;
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

    [Test]
    public async Task Log_format_json_puts_job_id_name_and_the_enqueue_trace_id_in_the_scopes_of_a_job_line()
    {
        using var spans = new CapturedSpans();
        await using var cluster = await Cluster.StartAsync();
        await using var node = NodeProcess.Start("json_traced", cluster.Address, Cluster.JobsDirectory, ["--log-format", "json", "--log-job-processing", "true"]);
        await cluster.WaitForNodesAsync(1);
        // The node process gets a listener on its Reactor source, so the next job runs in a consumer span.
        var listening = await cluster.Distributor.EnqueueAsync("trace_listen").WaitAsync(Cluster.Patience);
        Assert.That(listening.Succeeded, Is.True, listening.Error);

        var result = await cluster.Distributor.EnqueueAsync("add", new { a = 1, b = 2 }).WaitAsync(Cluster.Patience);
        var producer = (await spans.WaitForAsync(CapturedSpans.ForJob(result.JobId, ActivityKind.Producer), 1, Cluster.Patience)).Single();
        JsonElement? finished = null;
        var found = await Wait.UntilAsync(() => (finished = FindFinished(node.Output, result.JobId)) is not null, Cluster.Patience);

        Assert.That(found, Is.True, string.Join("\n", node.Output));
        // The values come from the scope, not from the message's own State: without the scope they are absent.
        var scope = finished!.Value.GetProperty("Scopes").EnumerateArray()
            .FirstOrDefault(s => s.ValueKind == JsonValueKind.Object && s.TryGetProperty("JobId", out _));
        Assert.That(scope.ValueKind, Is.EqualTo(JsonValueKind.Object), "a scope with the job's values:\n" + finished);
        Assert.Multiple(() =>
        {
            Assert.That(scope.GetProperty("JobId").GetString(), Is.EqualTo(result.JobId));
            Assert.That(scope.GetProperty("JobName").GetString(), Is.EqualTo("add"));
            Assert.That(scope.GetProperty("TraceId").GetString(), Is.EqualTo(producer.TraceId.ToHexString()), "the enqueue span's trace");
            Assert.That(scope.GetProperty("SpanId").GetString(), Has.Length.EqualTo(16));
        });
        // The attempt's other lines carry it too: the started line of the same job.
        var started = node.Output.Where(IsJsonObject).Select(l => JsonDocument.Parse(l).RootElement)
            .FirstOrDefault(r => r.GetProperty("EventId").GetInt32() == 3 && r.GetProperty("State").GetProperty("JobId").GetString() == result.JobId);
        Assert.That(started.ValueKind, Is.EqualTo(JsonValueKind.Object), string.Join("\n", node.Output));
        Assert.That(started.GetProperty("Scopes").EnumerateArray().Any(s => s.ValueKind == JsonValueKind.Object
            && s.TryGetProperty("TraceId", out var t) && t.GetString() == producer.TraceId.ToHexString()), Is.True, started.ToString());
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
