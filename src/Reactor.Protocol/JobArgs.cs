using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Reactor;

/// <summary>
/// The arguments of a job: a string-keyed map of primitives, strings, byte arrays, lists and maps.
/// The job, its callbacks and errbacks share one instance, so what one step adds the next sees,
/// and the success feedback receives the map as the node left it.
/// </summary>
public sealed class JobArgs : IEnumerable<KeyValuePair<string, object?>>
{
    private readonly Dictionary<string, object?> _values;

    /// <summary>Creates an empty map.</summary>
    public JobArgs() => _values = new Dictionary<string, object?>(StringComparer.Ordinal);

    /// <summary>Creates a map holding a copy of <paramref name="values"/>.</summary>
    public JobArgs(IEnumerable<KeyValuePair<string, object?>> values)
        : this()
    {
        ArgumentNullException.ThrowIfNull(values);
        foreach (var (key, value) in values)
        {
            _values[key] = value;
        }
    }

    internal JobArgs(Dictionary<string, object?> values) => _values = values;

    /// <summary>The number of entries.</summary>
    public int Count => _values.Count;

    /// <summary>The keys, in insertion order for maps that were never removed from.</summary>
    public IEnumerable<string> Keys => _values.Keys;

    /// <summary>Gets or sets a value. Reading a missing key throws <see cref="KeyNotFoundException"/> naming the key.</summary>
    public object? this[string key]
    {
        get => _values.TryGetValue(key, out var value)
            ? value
            : throw new KeyNotFoundException($"job args have no key '{key}'");
        set => _values[key] = value;
    }

    /// <summary>Reads a value when present.</summary>
    public bool TryGetValue(string key, out object? value) => _values.TryGetValue(key, out value);

    /// <summary>True when the key is present.</summary>
    public bool ContainsKey(string key) => _values.ContainsKey(key);

    /// <summary>Removes a key; true when it was present.</summary>
    public bool Remove(string key) => _values.Remove(key);

    /// <summary>
    /// Reads a value converted to <typeparamref name="T"/>. MessagePack narrows integers on the wire
    /// (a 5 arrives as a byte), so numeric values are converted rather than cast.
    /// </summary>
    public T Get<T>(string key) => Convert<T>(this[key], key);

    /// <summary>Reads a converted value, or <paramref name="fallback"/> when the key is missing.</summary>
    public T Get<T>(string key, T fallback) =>
        _values.TryGetValue(key, out var value) ? Convert<T>(value, key) : fallback;

    /// <summary>
    /// Reads the whole map as a <typeparamref name="T"/>: a record's constructor parameters and settable
    /// properties, matched to keys by name (also ignoring case, <c>_</c> and <c>-</c>), with values
    /// converted as <see cref="Get{T}(string)"/> does; nested maps and lists bind to nested types and
    /// collections. A typed view of a result's args: <c>result.Args.As&lt;InvoiceSent&gt;()</c>.
    /// </summary>
    /// <exception cref="JobArgsException">A required property is missing or a value has the wrong type; the message names it.</exception>
    public T As<T>() => (T)Protocol.Jobs.ArgsBinder.Bind(_values, typeof(T), "");

    /// <summary>A shallow copy: top-level entries are copied, nested lists and maps are shared.</summary>
    public JobArgs Clone() => new(new Dictionary<string, object?>(_values, StringComparer.Ordinal));

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => _values.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Builds args from a dictionary, an anonymous object's public properties, or null (empty).</summary>
    public static JobArgs From(object? source) => source switch
    {
        null => new JobArgs(),
        JobArgs args => args.Clone(),
        IEnumerable<KeyValuePair<string, object?>> pairs => new JobArgs(pairs),
        IDictionary dictionary => FromDictionary(dictionary),
        _ => FromProperties(source),
    };

    /// <inheritdoc />
    public override string ToString() =>
        "{" + string.Join(", ", _values.Select(kv => $"{kv.Key}: {Format(kv.Value)}")) + "}";

    private static string Format(object? value) => value switch
    {
        null => "null",
        string s => s,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static JobArgs FromDictionary(IDictionary dictionary)
    {
        var args = new JobArgs();
        foreach (DictionaryEntry entry in dictionary)
        {
            var key = entry.Key as string
                ?? throw new ArgumentException($"job args keys must be strings, not {entry.Key.GetType().Name}");
            args[key] = entry.Value;
        }
        return args;
    }

    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "Anonymous args objects are read by reflection on purpose.")]
    private static JobArgs FromProperties(object source)
    {
        var args = new JobArgs();
        foreach (var property in source.GetType().GetProperties())
        {
            if (property.GetIndexParameters().Length == 0)
            {
                args[property.Name] = property.GetValue(source);
            }
        }
        return args;
    }

    private static T Convert<T>(object? value, string key)
    {
        if (value is T typed)
        {
            return typed;
        }
        var target = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        try
        {
            if (value is null)
            {
                return default(T) is null ? default! : throw new InvalidCastException("value is null");
            }
            // The writer sends enums as names, Guid as text, TimeSpan as milliseconds and
            // DateTimeOffset as a UTC timestamp; read each back as the type that was written.
            return (T)(value switch
            {
                string name when target.IsEnum => Enum.Parse(target, name, ignoreCase: true),
                _ when target.IsEnum => Enum.ToObject(target, value),
                string text when target == typeof(Guid) => Guid.Parse(text),
                _ when target == typeof(TimeSpan) =>
                    TimeSpan.FromMilliseconds(System.Convert.ToDouble(value, CultureInfo.InvariantCulture)),
                DateTime time when target == typeof(DateTimeOffset) => new DateTimeOffset(time.ToUniversalTime()),
                _ => System.Convert.ChangeType(value, target, CultureInfo.InvariantCulture),
            });
        }
        catch (Exception e) when (e is InvalidCastException or FormatException or OverflowException or ArgumentException)
        {
            throw new InvalidCastException(
                $"job arg '{key}' holds {value?.GetType().Name ?? "null"}, which cannot be read as {typeof(T).Name}", e);
        }
    }
}
