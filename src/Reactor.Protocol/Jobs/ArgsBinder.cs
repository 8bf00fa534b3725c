using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Reactor.Protocol.Jobs;

/// <summary>
/// Reads an args map as a typed object: constructor parameters (a record's) and settable properties,
/// matched to keys by name (exactly, then ignoring case, then ignoring <c>_</c> and <c>-</c>, so
/// <c>invoice_id</c> fills <c>InvoiceId</c>). Values are converted the way they were written: integers
/// narrowed on the wire widen again, enums come from their names, Guids from text, TimeSpans from
/// milliseconds; nested maps and lists bind to nested types and collections. Every error names the
/// property path and what it held.
/// </summary>
[UnconditionalSuppressMessage("Trimming", "IL2067", Justification = "Typed args are bound by reflection on purpose.")]
[UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "Typed args are bound by reflection on purpose.")]
[UnconditionalSuppressMessage("Trimming", "IL2072", Justification = "Typed args are bound by reflection on purpose.")]
[UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "Typed args are bound by reflection on purpose.")]
[UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Typed args are bound by reflection on purpose.")]
public static class ArgsBinder
{
    private const int MaxDepth = 32;

    /// <summary>
    /// Binds <paramref name="map"/> to a new <paramref name="target"/> (public for the node's typed jobs);
    /// throws <see cref="JobArgsException"/> naming <paramref name="path"/> when a value does not fit.
    /// </summary>
    public static object Bind(IEnumerable<KeyValuePair<string, object?>> map, Type target, string path, int depth = 0)
    {
        if (depth > MaxDepth)
        {
            throw new JobArgsException($"{Where(path)}nests deeper than {MaxDepth} levels");
        }
        var values = map as IReadOnlyDictionary<string, object?> ?? map.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        var constructor = PickConstructor(target);
        var used = new HashSet<string>(StringComparer.Ordinal);
        var nullability = new NullabilityInfoContext();
        object instance;
        if (constructor is null)
        {
            // A struct without a declared constructor.
            instance = Activator.CreateInstance(target)!;
        }
        else
        {
            var parameters = constructor.GetParameters();
            var arguments = new object?[parameters.Length];
            for (var i = 0; i < parameters.Length; i++)
            {
                var parameter = parameters[i];
                var name = parameter.Name!;
                if (Find(values, name) is { } key)
                {
                    used.Add(name);
                    arguments[i] = Convert(values[key], parameter.ParameterType, Join(path, name), depth, nullability.Create(parameter));
                }
                else if (parameter.HasDefaultValue)
                {
                    arguments[i] = parameter.DefaultValue;
                }
                else if (IsNullable(parameter.ParameterType, nullability.Create(parameter)))
                {
                    arguments[i] = null;
                }
                else
                {
                    throw Missing(path, name, parameter.ParameterType);
                }
            }
            try
            {
                instance = constructor.Invoke(arguments);
            }
            catch (TargetInvocationException e) when (e.InnerException is { } inner)
            {
                throw new JobArgsException($"{Where(path)}{target.Name}'s constructor refused the args: {inner.Message}", inner);
            }
        }
        foreach (var property in target.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (used.Contains(property.Name) || property.SetMethod is not { IsPublic: true } || property.GetIndexParameters().Length > 0)
            {
                continue;
            }
            if (Find(values, property.Name) is { } key)
            {
                property.SetValue(instance, Convert(values[key], property.PropertyType, Join(path, property.Name), depth, nullability.Create(property)));
            }
            else if (property.IsDefined(typeof(RequiredMemberAttribute)))
            {
                throw Missing(path, property.Name, property.PropertyType);
            }
        }
        return instance;
    }

    /// <summary>Converts one arg value to <paramref name="target"/>; errors name <paramref name="path"/>.</summary>
    public static object? Convert(object? value, Type target, string path, int depth = 0, NullabilityInfo? nullability = null)
    {
        if (value is null)
        {
            return IsNullable(target, nullability)
                ? null
                : throw new JobArgsException($"{Where(path)}is nil, but {Describe(target)} cannot be null");
        }
        var underlying = Nullable.GetUnderlyingType(target) ?? target;
        if (underlying == typeof(object) || (underlying.IsInstanceOfType(value) && underlying != typeof(JobArgs)))
        {
            return value;
        }
        try
        {
            return ConvertValue(value, underlying, path, depth);
        }
        catch (Exception e) when (e is InvalidCastException or FormatException or OverflowException or ArgumentException)
        {
            throw Mistyped(path, value, target, e);
        }
    }

    private static object ConvertValue(object value, Type target, string path, int depth)
    {
        if (target == typeof(string))
        {
            // Strict: a number or a map in a text property is a mistake the caller should hear about.
            throw Mistyped(path, value, target, null);
        }
        if (target.IsEnum)
        {
            return value is string name ? Enum.Parse(target, name, ignoreCase: true) : Enum.ToObject(target, value);
        }
        if (target == typeof(Guid))
        {
            return value is string text ? Guid.Parse(text) : throw Mistyped(path, value, target, null);
        }
        if (target == typeof(TimeSpan))
        {
            return value is string span
                ? TimeSpan.Parse(span, CultureInfo.InvariantCulture)
                : TimeSpan.FromMilliseconds(System.Convert.ToDouble(value, CultureInfo.InvariantCulture));
        }
        if (target == typeof(DateTimeOffset) && value is DateTime time)
        {
            return new DateTimeOffset(time.ToUniversalTime());
        }
        if (target == typeof(JobArgs) && value is IEnumerable<KeyValuePair<string, object?>> pairs)
        {
            return new JobArgs(pairs);
        }
        if (target.IsPrimitive || target == typeof(decimal) || target == typeof(DateTime))
        {
            if (value is string or IEnumerable)
            {
                throw Mistyped(path, value, target, null);
            }
            return System.Convert.ChangeType(value, target, CultureInfo.InvariantCulture);
        }
        if (value is IEnumerable<KeyValuePair<string, object?>> map)
        {
            return Dictionary(map, target, path, depth) ?? Bind(map, target, path, depth + 1);
        }
        if (value is IList list && Collection(list, target, path, depth) is { } collection)
        {
            return collection;
        }
        throw Mistyped(path, value, target, null);
    }

    private static object? Dictionary(IEnumerable<KeyValuePair<string, object?>> map, Type target, string path, int depth)
    {
        if (!target.IsGenericType)
        {
            return null;
        }
        var definition = target.GetGenericTypeDefinition();
        var arguments = target.GetGenericArguments();
        if (arguments.Length != 2 || arguments[0] != typeof(string)
            || (definition != typeof(Dictionary<,>) && definition != typeof(IDictionary<,>) && definition != typeof(IReadOnlyDictionary<,>)))
        {
            return null;
        }
        var result = (IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(arguments))!;
        foreach (var (key, item) in map)
        {
            result[key] = Convert(item, arguments[1], path + "." + key, depth + 1);
        }
        return result;
    }

    private static object? Collection(IList list, Type target, string path, int depth)
    {
        Type element;
        if (target.IsArray)
        {
            element = target.GetElementType()!;
        }
        else if (target.IsGenericType && target.GetGenericArguments() is [var only]
            && target.IsAssignableFrom(typeof(List<>).MakeGenericType(only)))
        {
            element = only;
        }
        else
        {
            return null;
        }
        var items = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(element))!;
        for (var i = 0; i < list.Count; i++)
        {
            items.Add(Convert(list[i], element, string.Create(CultureInfo.InvariantCulture, $"{path}[{i}]"), depth + 1));
        }
        if (!target.IsArray)
        {
            return items;
        }
        var array = Array.CreateInstance(element, items.Count);
        items.CopyTo(array, 0);
        return array;
    }

    private static ConstructorInfo? PickConstructor(Type target)
    {
        var constructors = target.GetConstructors(BindingFlags.Public | BindingFlags.Instance);
        // A record's copy constructor takes the record itself; it never binds args.
        var candidates = constructors.Where(c => !c.GetParameters().Any(p => p.ParameterType == target)).ToList();
        if (candidates.Count == 0)
        {
            return target.IsValueType
                ? null
                : throw new JobArgsException($"{target.Name} has no public constructor to bind args to");
        }
        return candidates.OrderByDescending(c => c.GetParameters().Length).First();
    }

    // Exact key first, then ignoring case, then also ignoring '_' and '-' (snake_case args, PascalCase types).
    private static string? Find(IReadOnlyDictionary<string, object?> values, string name)
    {
        if (values.ContainsKey(name))
        {
            return name;
        }
        var folded = values.Keys.FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase));
        return folded ?? values.Keys.FirstOrDefault(k => string.Equals(Normalize(k), Normalize(name), StringComparison.OrdinalIgnoreCase));
    }

    private static string Normalize(string name) => name.Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);

    private static bool IsNullable(Type type, NullabilityInfo? nullability) =>
        Nullable.GetUnderlyingType(type) is not null
        || (!type.IsValueType && nullability?.WriteState != NullabilityState.NotNull);

    private static JobArgsException Missing(string path, string name, Type type) =>
        new($"required property '{Join(path, name)}' ({Describe(type)}) is missing");

    private static JobArgsException Mistyped(string path, object value, Type target, Exception? inner)
    {
        var shown = value switch
        {
            string s => $"string \"{(s.Length > 40 ? s[..40] + "..." : s)}\"",
            IFormattable f => $"{value.GetType().Name} {f.ToString(null, CultureInfo.InvariantCulture)}",
            IEnumerable<KeyValuePair<string, object?>> => "a map",
            IList => "a list",
            _ => value.GetType().Name,
        };
        var message = $"{Where(path)}holds {shown}, which cannot be read as {Describe(target)}";
        return inner is null ? new JobArgsException(message) : new JobArgsException(message, inner);
    }

    private static string Where(string path) => path.Length == 0 ? "the args " : $"property '{path}' ";

    private static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;

    private static string Describe(Type type) =>
        Nullable.GetUnderlyingType(type) is { } inner ? inner.Name + "?"
        : type.IsGenericType ? type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)] + "<" + string.Join(", ", type.GetGenericArguments().Select(Describe)) + ">"
        : type.Name;
}
