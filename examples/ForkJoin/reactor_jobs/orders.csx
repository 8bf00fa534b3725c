// Jobs of service "orders". A plain name ("pack") stays in this service; "billing.charge" goes to
// the node(s) started with --service billing.

// The root task: register the join first, then fork three ways.
Job("checkout", args =>
{
    var order = args.Get<string>("order");
    args.PublishOnEvents("ship", new { order }, "packed", "charged", "reserved");
    args.PublishNext(
        "pack", new { order },
        "billing.charge", new { order, amount = 42.5 },
        "reserve", new { order });
});

Job("pack", args => args.EmitEvents("packed", new { box = "M" }));

// Fails on its first attempt: the retry emits again, and the join still runs once.
var reserveAttempts = new Dictionary<string, int>();
Job("reserve", args =>
{
    var order = args.Get<string>("order");
    reserveAttempts[order] = reserveAttempts.GetValueOrDefault(order) + 1;
    if (reserveAttempts[order] == 1)
    {
        throw new InvalidOperationException("stock service timed out");
    }
    args.EmitEvents("reserved", new { shelf = 7 });
});

// The join: runs once per order, with every event's name and data.
Job("ship", args =>
{
    var events = string.Join(", ", args.Events().Select(e => $"{e.Name} {e.Data}"));
    args["summary"] = $"order {args.Get<string>("order")} shipped after: {events}";
    // A delayed next task runs on a distributor timer, not in a sleeping job.
    args.PublishNext(TimeSpan.FromMilliseconds(300), "follow_up", new { order = args.Get<string>("order") });
});

Job("follow_up", args => args["note"] = $"asked for a review of order {args.Get<string>("order")}");
