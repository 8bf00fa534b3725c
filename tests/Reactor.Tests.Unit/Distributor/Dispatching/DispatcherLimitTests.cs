using NUnit.Framework;

namespace Reactor.Tests.Unit.Distributor.Dispatching;

/// <summary>
/// <c>DistributorOptions.Limit</c> per distributor: jobs over a name's concurrency or rate wait in the
/// pending queue and go out when a slot frees or a token is due (a timer on the fake clock), never
/// more at once than the limit, and names without a limit are not held back.
/// </summary>
[TestFixture]
[CancelAfter(10_000)]
public sealed class DispatcherLimitTests : DispatcherFixture
{
    private protected override void Configure(DistributorOptions options) =>
        options.Limit("mail", concurrency: 2).Limit("sms", perSecond: 100).Limit("both", concurrency: 3, perSecond: 2).Limit("fast", perSecond: 20);

    [Test]
    public void Jobs_over_the_concurrency_wait_and_go_out_as_slots_free()
    {
        var (_, node) = Join("a", capacity: 10, jobNames: ["mail"]);

        var jobs = Submit(5, "mail");

        Assert.That(node.Dispatched, Is.EqualTo(Ids(jobs.Take(2))));
        Assert.That(Dispatcher.PendingCount, Is.EqualTo(3), "they wait; they do not fail");
        Dispatcher.Completed(jobs[0].Id);
        Assert.That(node.Dispatched, Is.EqualTo(Ids(jobs.Take(3))), "a final result frees the slot at once");
        Dispatcher.Completed(jobs[2].Id);
        Dispatcher.Completed(jobs[1].Id);
        Assert.That(node.Dispatched, Is.EqualTo(Ids(jobs)));
        Assert.That(Dispatcher.InFlightCount, Is.EqualTo(2));
    }

    [Test]
    public void The_concurrency_counts_across_nodes()
    {
        var (_, a) = Join("a", capacity: 1, jobNames: ["mail"]);
        var (_, b) = Join("b", capacity: 1, jobNames: ["mail"]);
        var (_, c) = Join("c", capacity: 5, jobNames: ["mail"]);

        Submit(6, "mail");

        Assert.That(a.Dispatched.Count + b.Dispatched.Count + c.Dispatched.Count, Is.EqualTo(2));
        Assert.That(Dispatcher.PendingCount, Is.EqualTo(4));
    }

    [Test]
    public void A_name_at_its_limit_does_not_hold_back_other_names_on_the_same_node()
    {
        var (slot, node) = Join("a", capacity: 2, jobNames: ["mail", "work"]);
        var mail = Submit(4, "mail");
        var work = Submit(2, "work");
        Assert.That(node.Dispatched, Is.EqualTo(Ids(mail.Take(2))));

        Dispatcher.AddCredit(slot, 2);

        Assert.That(node.Dispatched, Is.EqualTo(Ids(mail.Take(2).Concat(work))), "credit goes to work while mail is at its limit");
        Assert.That(Dispatcher.PendingCount, Is.EqualTo(2));
    }

    [Test]
    public void A_freed_slot_waits_for_node_credit_and_a_returned_credit_uses_the_slot()
    {
        var (slot, node) = Join("a", capacity: 2, jobNames: ["mail"]);
        var jobs = Submit(3, "mail");

        Dispatcher.Completed(jobs[0].Id);
        Assert.That(node.Dispatched, Has.Count.EqualTo(2), "the slot is free but the node has no credit");

        Dispatcher.AddCredit(slot, 1);
        Assert.That(node.Dispatched, Is.EqualTo(Ids(jobs)));
    }

    [Test]
    public void A_lost_node_releases_its_slots_and_the_resent_job_takes_one_again()
    {
        var (slotA, a) = Join("a", capacity: 5, jobNames: ["mail"]);
        var jobs = Submit(3, "mail");
        Assert.That(a.Dispatched, Is.EqualTo(Ids(jobs.Take(2))));
        var (_, b) = Join("b", capacity: 5, jobNames: ["mail"]);

        Dispatcher.Leave(slotA, lost: false);

        Assert.That(b.Dispatched, Is.EqualTo(Ids(jobs.Take(2))), "the two resent jobs hold the two slots again");
        Assert.That(Dispatcher.PendingCount, Is.EqualTo(1));
        Dispatcher.Completed(jobs[1].Id);
        Assert.That(b.Dispatched, Is.EqualTo(Ids(jobs)));
    }

    [Test]
    public void A_lost_nodes_jobs_that_wait_free_their_slots_for_others()
    {
        var (slotA, _) = Join("a", capacity: 5, jobNames: ["mail"]);
        var first = Submit(2, "mail");
        Dispatcher.Leave(slotA, lost: false);
        Assert.That(Dispatcher.PendingCount, Is.EqualTo(2), "no node: both wait, holding nothing");

        var (_, b) = Join("b", capacity: 5, jobNames: ["mail"]);

        Assert.That(b.Dispatched, Is.EqualTo(Ids(first)), "a slot held by a job on a gone node would block these forever");
    }

    [Test]
    public void A_cancelled_waiting_job_holds_no_slot_and_a_result_of_a_waiting_copy_releases_nothing()
    {
        var (_, node) = Join("a", capacity: 10, jobNames: ["mail"]);
        var jobs = Submit(4, "mail");

        Dispatcher.Cancel(jobs[2].Id, out _);
        Dispatcher.Completed(jobs[3].Id);
        Dispatcher.Completed(jobs[0].Id);

        Assert.That(node.Dispatched, Is.EqualTo(Ids(jobs.Take(2))), "nothing is left to send, and no extra slot appeared");
        Assert.That(Dispatcher.PendingCount, Is.Zero);
        Submit(2, "mail");
        Assert.That(node.Dispatched, Has.Count.EqualTo(3), "slot of jobs[0] free, jobs[1] still holds one");
    }

    [Test]
    public void The_rate_lets_a_short_burst_through_then_one_job_per_token_woken_by_a_timer()
    {
        var (_, node) = Join("a", capacity: 1000, jobNames: ["sms"]);

        Submit(300, "sms");
        Assert.That(node.Dispatched, Has.Count.EqualTo(5), "the bucket holds 50 ms of tokens");

        Time.Advance(TimeSpan.FromMilliseconds(10));
        Assert.That(node.Dispatched, Has.Count.EqualTo(6), "the timer fired when the next token was due");

        for (var i = 0; i < 99; i++)
        {
            Time.Advance(TimeSpan.FromMilliseconds(10));
        }
        Assert.That(node.Dispatched, Has.Count.EqualTo(105), "one second: the burst plus 100 tokens");
    }

    [Test]
    public void A_quiet_period_refills_the_bucket_only_to_its_size()
    {
        var (_, node) = Join("a", capacity: 1000, jobNames: ["sms"]);
        Submit(5, "sms");

        Time.Advance(TimeSpan.FromSeconds(10));
        Submit(20, "sms");

        Assert.That(node.Dispatched, Has.Count.EqualTo(10), "5, then after ten idle seconds 5 again, not 1,000");
    }

    [Test]
    public void Concurrency_and_rate_together_take_both()
    {
        var (_, node) = Join("a", capacity: 100, jobNames: ["both"]);
        var jobs = Submit(6, "both");
        Assert.That(node.Dispatched, Has.Count.EqualTo(1), "below 4/s the bucket holds one token");

        Time.Advance(TimeSpan.FromMilliseconds(500));
        Time.Advance(TimeSpan.FromMilliseconds(500));
        Time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.That(node.Dispatched, Has.Count.EqualTo(3), "then one per 500 ms, until the concurrency of 3 is reached");
        Time.Advance(TimeSpan.FromSeconds(5));
        Assert.That(node.Dispatched, Has.Count.EqualTo(3), "tokens alone do not pass the concurrency");

        Dispatcher.Completed(jobs[0].Id);
        Assert.That(node.Dispatched, Has.Count.EqualTo(4), "the freed slot uses the token that had been waiting");
    }

    [Test]
    public void From_4_per_second_up_the_bucket_holds_two_tokens_and_no_token_is_lost_between_wake_ups()
    {
        var (_, node) = Join("a", capacity: 1000, jobNames: ["fast"]);
        Submit(100, "fast");
        Assert.That(node.Dispatched, Has.Count.EqualTo(2), "the bucket holds two tokens at 20/s");

        // The clock moves in steps that do not fall on the 50 ms token times.
        for (var i = 0; i < 10; i++)
        {
            Time.Advance(TimeSpan.FromMilliseconds(35));
            Time.Advance(TimeSpan.FromMilliseconds(35));
        }

        Assert.That(node.Dispatched, Has.Count.EqualTo(2 + 14), "700 ms at 20/s: 14 more");
    }

    [Test]
    public void Names_without_a_limit_are_not_counted()
    {
        var (_, node) = Join("a", capacity: 1000, jobNames: ["work"]);

        Submit(500);

        Assert.That(node.Dispatched, Has.Count.EqualTo(500));
    }

    [Test]
    public void Waiting_for_a_limit_counts_against_the_pending_deadline()
    {
        Join("a", capacity: 10, jobNames: ["mail"]);
        var jobs = Submit(3, "mail");

        var expired = Dispatcher.TakeExpired(Time.GetUtcNow() + Options.PendingTimeout, []);

        Assert.That(expired.Select(e => e.Job.Id), Is.EqualTo(new[] { jobs[2].Id }), "only the job still waiting for a slot");
        Assert.That(expired[0].Unknown, Is.False);
        Assert.That(Dispatcher.LimitOf("mail")!.Describe(), Is.EqualTo("concurrency 2"));
    }
}
