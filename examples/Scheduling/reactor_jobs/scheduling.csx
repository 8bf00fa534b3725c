// Jobs for the scheduling and routing example.
Job("where", args =>
{
    args["node"] = Environment.GetEnvironmentVariable("REACTOR_NODE_NAME") ?? "?";
    args["at"] = DateTime.UtcNow.ToString("HH:mm:ss.fff");
});

var ticks = 0;
Job("tick", args =>
{
    ticks++; // job code runs on the node's one reactor thread: no lock needed
    args["tick"] = ticks;
    if (ticks >= args.Get<int>("stop_after"))
    {
        throw new CancelJob("enough ticks");
    }
});
