// Jobs for the QuickStart. A node compiles every *.csx file in its jobs directory at start.
// A job runs first, then its callbacks in order, all on one args map; an exception runs the errbacks.

Job("greet", args => args["greeting"] = $"Hello, {args.Get("name", "world")}!");

Job("add", args => args["sum"] = args.Get<long>("a") + args.Get<long>("b"));
JobCallback("add", "double", args => args["doubled"] = args.Get<long>("sum") * 2);

Job("divide", args => args["quotient"] = args.Get<long>("a") / args.Get<long>("b"));
JobErrback("divide", "explain", args => args["hint"] = "b must not be zero");

Job("fetch", async args =>
{
    await Task.Delay(50); // stands in for I/O; other jobs run on the reactor loop meanwhile
    args["fetched"] = $"page {args.Get<int>("page")}";
});
