namespace Reactor.TestJobs;

/// <summary>
/// Jobs for the fork/join tests. Every run of a job writes a file named after it into args["dir"]
/// (a fresh directory per test), so the test counts executions across node processes, including
/// processes it killed.
/// </summary>
public sealed class FlowJobs : IJobModule
{
    /// <inheritdoc />
    public void Register(IJobRegistry jobs)
    {
        ArgumentNullException.ThrowIfNull(jobs);

        // Five (or more) parallel parts joined by one flow_finalize on all their events.
        jobs.Job("flow_fan_out", args =>
        {
            var dir = args.Get<string>("dir");
            var names = Names(args);
            args.PublishOnEvents("flow_finalize", new { dir, tag = args.Get<string>("tag") }, names);
            var pairs = new List<object?>();
            for (var i = 0; i < names.Length; i++)
            {
                pairs.Add("flow_part");
                pairs.Add(new { dir, i, name = names[i] });
            }
            args.PublishNext([.. pairs]);
        });

        // Some parts fail once: every third before emitting, every other odd one after emitting
        // (its re-run emits again, which must not fire anything twice).
        jobs.Job("flow_part", args =>
        {
            var dir = args.Get<string>("dir");
            var i = args.Get<int>("i");
            Mark(dir, $"part-{i}");
            var firstAttempt = FirstTime(dir, $"failed-{i}");
            if (i % 3 == 0 && firstAttempt)
            {
                throw new InvalidOperationException($"part {i} fails before emitting");
            }
            args.EmitEvents(args.Get<string>("name"), new { i });
            if (i % 3 != 0 && i % 2 == 1 && firstAttempt)
            {
                throw new InvalidOperationException($"part {i} fails after emitting");
            }
        });

        jobs.Job("flow_finalize", args =>
        {
            var events = args.Events();
            args["event_names"] = events.Select(e => (object?)e.Name).ToList();
            args["run_id"] = args.FlowRunId();
            Mark(args.Get<string>("dir"), $"finalize-{args.Get<string>("tag")}", string.Join("\n", events.Select(e => e.Name)));
        });

        // One user's flow across two services: a step here, two on service svc_b, joined here.
        jobs.Job("flow_user", args =>
        {
            var dir = args.Get<string>("dir");
            var user = args.Get<string>("user");
            args.PublishOnEvents("flow_user_done", new { dir, user }, "a", "b", "c");
            args.PublishNext(
                "flow_step", new { dir, user, ev = "a" },
                "svc_b.flow_step", new { dir, user, ev = "b" },
                "svc_b.flow_step", new { dir, user, ev = "c" });
        });

        jobs.Job("flow_step", args =>
        {
            var ev = args.Get<string>("ev");
            Mark(args.Get<string>("dir"), $"step-{args.Get<string>("user")}-{ev}-{args.FlowService()}");
            args.EmitEvents(ev, new { service = args.FlowService() });
        });

        jobs.Job("flow_user_done", args =>
        {
            var names = string.Join(",", args.Events().Select(e => e.Name).Order(StringComparer.Ordinal));
            Mark(args.Get<string>("dir"), $"done-{args.Get<string>("user")}-{args.FlowService()}", names);
        });

        // Publishes A, waits for the test's go-ahead file, then publishes B and C.
        jobs.Job("flow_pause_parent", async args =>
        {
            var dir = args.Get<string>("dir");
            Mark(dir, "parent");
            args.PublishNext("flow_mark", new { dir, name = "A" });
            while (!File.Exists(Path.Combine(dir, "go")))
            {
                await Task.Delay(50);
            }
            args.PublishNext("flow_mark", new { dir, name = "B" }, "flow_mark", new { dir, name = "C" });
        });

        jobs.Job("flow_mark", args => Mark(args.Get<string>("dir"), "mark-" + args.Get<string>("name")));

        // Emits args["names"] (globally with args["global"]), then with args["then_register"]
        // registers the trigger on them afterwards, in a next task.
        jobs.Job("flow_emit", args =>
        {
            var names = Names(args);
            var pairs = names.SelectMany(n => new object?[] { n, new { emitted = n } }).ToArray();
            if (args.Get("global", false))
            {
                args.EmitGlobalEvents(pairs);
            }
            else
            {
                args.EmitEvents(pairs);
            }
            if (args.Get("then_register", false))
            {
                args.PublishNext("flow_trigger", args.Clone());
            }
        });

        jobs.Job("flow_trigger", args =>
        {
            var data = new { dir = args.Get<string>("dir"), tag = args.Get<string>("tag") };
            if (args.Get("global", false))
            {
                args.PublishOnGlobalEvents("flow_finalize", data, Names(args));
            }
            else
            {
                args.PublishOnEvents("flow_finalize", data, Names(args));
            }
        });
    }

    private static string[] Names(JobArgs args) =>
        [.. ((IEnumerable<object?>)args["names"]!).Select(n => (string)n!)];

    private static void Mark(string dir, string what, string content = "") =>
        File.WriteAllText(Path.Combine(dir, $"{what}-{Guid.NewGuid():N}"), content);

    /// <summary>True the first time it is called for <paramref name="key"/> in <paramref name="dir"/>, across processes.</summary>
    private static bool FirstTime(string dir, string key)
    {
        try
        {
            using var _ = new FileStream(Path.Combine(dir, key), FileMode.CreateNew);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
