using System.Collections;
using System.Globalization;
using Reactor.Protocol.Messages;

namespace Reactor.Tests.Unit.Protocol;

/// <summary>
/// Deep, type-strict comparison of messages and arg values. Records compare arrays and
/// <see cref="JobArgs"/> by reference, so round-trip tests need this instead of Equals.
/// </summary>
internal static class Structural
{
    /// <summary>Null when equal; otherwise where and how the two differ.</summary>
    public static string? Diff(object? expected, object? actual, string path = "$")
    {
        if (expected is null || actual is null)
        {
            return expected is null && actual is null ? null : $"{path}: expected {Show(expected)}, got {Show(actual)}";
        }
        if (expected.GetType() != actual.GetType())
        {
            return $"{path}: expected a {expected.GetType().Name}, got a {actual.GetType().Name} ({Show(actual)})";
        }
        return expected switch
        {
            DateTime time => time == (DateTime)actual && time.Kind == ((DateTime)actual).Kind
                ? null
                : $"{path}: expected {time:O} ({time.Kind}), got {(DateTime)actual:O} ({((DateTime)actual).Kind})",
            string or ValueType => Equals(expected, actual) ? null : $"{path}: expected {Show(expected)}, got {Show(actual)}",
            JobArgs args => DiffMaps(args, (JobArgs)actual, path),
            IEnumerable<KeyValuePair<string, object?>> map => DiffMaps(map, (IEnumerable<KeyValuePair<string, object?>>)actual, path),
            IList list => DiffLists(list, (IList)actual, path),
            IReactorMessage => DiffProperties(expected, actual, path),
            _ => throw new NotSupportedException($"{path}: cannot compare {expected.GetType().Name}"),
        };
    }

    private static string? DiffMaps(
        IEnumerable<KeyValuePair<string, object?>> expected, IEnumerable<KeyValuePair<string, object?>> actual, string path)
    {
        var left = expected.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        var right = actual.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        var keys = left.Keys.Union(right.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            if (!left.ContainsKey(key) || !right.ContainsKey(key))
            {
                return $"{path}.{key}: present on one side only";
            }
            if (Diff(left[key], right[key], $"{path}.{key}") is { } difference)
            {
                return difference;
            }
        }
        return null;
    }

    private static string? DiffLists(IList expected, IList actual, string path)
    {
        if (expected.Count != actual.Count)
        {
            return $"{path}: expected {expected.Count} items, got {actual.Count}";
        }
        for (var i = 0; i < expected.Count; i++)
        {
            if (Diff(expected[i], actual[i], $"{path}[{i}]") is { } difference)
            {
                return difference;
            }
        }
        return null;
    }

    private static string? DiffProperties(object expected, object actual, string path)
    {
        foreach (var property in expected.GetType().GetProperties())
        {
            if (Diff(property.GetValue(expected), property.GetValue(actual), $"{path}.{property.Name}") is { } difference)
            {
                return difference;
            }
        }
        return null;
    }

    private static string Show(object? value) => value switch
    {
        null => "null",
        string s => $"\"{s}\"",
        byte[] bytes => "0x" + Convert.ToHexString(bytes),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? value.GetType().Name,
    };
}
