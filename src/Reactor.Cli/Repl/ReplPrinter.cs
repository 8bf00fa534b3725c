using System.Collections;
using System.Globalization;
using Reactor.Cli.Output;
using Reactor.Json;
using Reactor.Storage;

namespace Reactor.Cli.Repl;

/// <summary>Turns the value of a REPL expression into text a person reads at a glance.</summary>
internal static class ReplPrinter
{
    // A lazy sequence can be endless (Enumerable.Range(0, int.MaxValue)); printing must still end.
    private const int MaxItems = 100;

    public static string Format(object? value) => value switch
    {
        null => "null",
        string text => text,
        bool flag => flag ? "true" : "false",
        JobRecord job => RedisMonitor.FormatTable([job]).TrimEnd('\n'),
        IEnumerable<JobRecord> jobs => RedisMonitor.FormatTable(jobs).TrimEnd('\n'),
        JobArgs args => Entries(args.Select(kv => (kv.Key, kv.Value))),
        IDictionary dictionary => Entries(JsonText.Entries(dictionary).Select(e => (Inline(e.Key), e.Value))),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        IEnumerable items => Items(items),
        _ => value.ToString() ?? "",
    };

    /// <summary>One <c>key: value</c> line per entry.</summary>
    private static string Entries(IEnumerable<(string Key, object? Value)> entries)
    {
        var shown = entries.Take(MaxItems + 1).ToList();
        if (shown.Count == 0)
        {
            return "(empty)";
        }
        var lines = shown.Take(MaxItems).Select(e => $"{e.Key}: {Inline(e.Value)}");
        return string.Join('\n', shown.Count > MaxItems ? lines.Append("...") : lines);
    }

    private static string Items(IEnumerable items)
    {
        var shown = items.Cast<object?>().Take(MaxItems + 1).ToList();
        var text = string.Join(", ", shown.Take(MaxItems).Select(Inline));
        return "[" + text + (shown.Count > MaxItems ? ", ...]" : "]");
    }

    // Nested maps and lists inside an entry or a list print as compact JSON.
    private static string Inline(object? value) => value switch
    {
        null => "null",
        string text => text,
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        JobArgs or IEnumerable => JsonText.Write(value, indented: false),
        _ => value.ToString() ?? "",
    };
}
