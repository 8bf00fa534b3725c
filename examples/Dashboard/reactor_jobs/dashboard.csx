// Jobs for the dashboard example: most succeed after a short wait, some fail with a real exception.
Job("resize", async args =>
{
    await Task.Delay(Random.Shared.Next(20, 200));
    args["pixels"] = args.Get<long>("width") * args.Get<long>("height");
});

Job("charge", args =>
{
    if (args.Get<long>("amount") % 7 == 0)
    {
        throw new InvalidOperationException($"card declined for amount {args["amount"]}");
    }
});
