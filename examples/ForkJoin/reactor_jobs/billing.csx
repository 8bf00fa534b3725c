// Jobs of service "billing". Events cross services: this one completes the join registered by orders.
// Flow.FlowJobId(args) is stable across retries and re-deliveries: use it as the payment's
// idempotency key, so charging twice (at-least-once execution) is a no-op at the provider.
Job("charge", args =>
{
    args["payment_key"] = args.FlowJobId();
    args.EmitEvents("charged", new { amount = args.Get<double>("amount") });
});
