using NUnit.Framework;
using Reactor.Protocol.Scheduling;

namespace Reactor.Tests.Unit.Scheduling;

/// <summary>Parsing, zones and daylight saving of cron schedules, as the distributor and the node both read them.</summary>
public sealed class CronScheduleTests
{
    private static DateTimeOffset Utc(string text) => DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

    [TestCase("* * *", "has 3 fields")]
    [TestCase("61 * * * *", "is invalid")]
    [TestCase("* * * * * * *", "has 7 fields")]
    [TestCase("", "has 0 fields")]
    [TestCase("@sometimes", "is invalid")]
    public void Bad_expressions_are_refused_with_the_reason(string expression, string reason)
    {
        var e = Assert.Throws<ArgumentException>(() => CronSchedule.Parse(expression, null));

        Assert.That(e!.Message, Does.Contain(reason));
        Assert.That(e.ParamName, Is.EqualTo("Cron"));
    }

    [Test]
    public void An_unknown_zone_is_refused_naming_it()
    {
        var e = Assert.Throws<ArgumentException>(() => CronSchedule.Parse("0 9 * * *", "Mars/Olympus_Mons"));

        Assert.That(e!.Message, Does.Contain("unknown time zone 'Mars/Olympus_Mons'"));
        Assert.That(e.ParamName, Is.EqualTo("TimeZone"));
    }

    [Test]
    public void Five_fields_are_minutes_first_and_six_seconds_first()
    {
        var from = Utc("2026-01-01T00:00:00Z");

        Assert.That(CronSchedule.Parse("*/15 * * * *", null).Next(from), Is.EqualTo(Utc("2026-01-01T00:15:00Z")));
        Assert.That(CronSchedule.Parse("*/15 * * * * *", null).Next(from), Is.EqualTo(Utc("2026-01-01T00:00:15Z")));
        Assert.That(CronSchedule.Parse("@daily", null).Next(from), Is.EqualTo(Utc("2026-01-02T00:00:00Z")));
    }

    [Test]
    public void IANA_and_Windows_ids_name_the_same_zone()
    {
        var from = Utc("2026-07-01T00:00:00Z");
        var iana = CronSchedule.Parse("0 9 * * *", "Europe/Paris").Next(from);
        var windows = CronSchedule.Parse("0 9 * * *", "Romance Standard Time").Next(from);

        Assert.That(iana, Is.EqualTo(Utc("2026-07-01T07:00:00Z")), "09:00 in Paris in summer is 07:00 UTC");
        Assert.That(windows, Is.EqualTo(iana));
    }

    [Test]
    public void A_slot_in_the_spring_forward_gap_runs_right_after_the_gap()
    {
        // Paris, 29 March 2026: 02:00 CET jumps to 03:00 CEST, so 02:30 never exists that day.
        var next = CronSchedule.Parse("30 2 * * *", "Europe/Paris").Next(Utc("2026-03-28T12:00:00Z"));

        Assert.That(next, Is.EqualTo(Utc("2026-03-29T01:00:00Z")), "03:00 CEST, the first instant after the gap");
    }

    [Test]
    public void A_fixed_slot_in_the_fall_back_overlap_runs_once_and_an_hourly_one_runs_in_both_hours()
    {
        // Paris, 25 October 2026: 03:00 CEST falls back to 02:00 CET, so 02:30 happens twice.
        var daily = CronSchedule.Parse("30 2 * * *", "Europe/Paris");
        var first = daily.Next(Utc("2026-10-24T12:00:00Z"))!.Value;
        var second = daily.Next(first)!.Value;

        Assert.That(first, Is.EqualTo(Utc("2026-10-25T00:30:00Z")), "02:30 CEST");
        Assert.That(second, Is.EqualTo(Utc("2026-10-26T01:30:00Z")), "not again at 02:30 CET the same night");

        var hourly = CronSchedule.Parse("30 * * * *", "Europe/Paris");
        var a = hourly.Next(Utc("2026-10-25T00:00:00Z"))!.Value;
        var b = hourly.Next(a)!.Value;
        Assert.That((a, b), Is.EqualTo((Utc("2026-10-25T00:30:00Z"), Utc("2026-10-25T01:30:00Z"))), "both 02:30s");
    }

    [Test]
    public void A_schedule_that_never_fires_has_no_next_slot()
    {
        Assert.That(CronSchedule.Parse("0 0 30 2 *", null).Next(Utc("2026-01-01T00:00:00Z")), Is.Null);
    }
}
