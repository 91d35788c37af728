using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Comx.Core.Http;

/// <summary>
/// Finds a JSON <c>null</c> inside a collection whose elements are declared non-nullable (<c>{"metadata":{"a":null}}</c>
/// into <c>IReadOnlyDictionary&lt;string, string&gt;</c>, <c>["a", null]</c> into <c>IReadOnlyList&lt;string&gt;</c>).
/// System.Text.Json's <c>RespectNullableAnnotations</c> covers properties but not collection elements, so without
/// this a handler would meet a null it was promised could not exist. Walks only our own request records.
/// </summary>
public static class NullElements
{
    private const int MaxDepth = 16;
    private static readonly ConcurrentDictionary<Type, IReadOnlyList<(PropertyInfo Property, string Name, bool ElementsNullable)>> Shapes = new();

    /// <summary>The snake_case path of the first forbidden null, or null when there is none.</summary>
    public static string? Find(object? value) => Walk(value, "", 0);

    private static string? Walk(object? value, string path, int depth)
    {
        if (value is null || depth > MaxDepth || !IsOurs(value.GetType()))
        {
            return null;
        }

        foreach (var (property, name, elementsNullable) in ShapeOf(value.GetType()))
        {
            var field = path.Length == 0 ? name : path + "." + name;
            var found = property.GetValue(value) switch
            {
                null or string => null,
                IDictionary dictionary => InDictionary(dictionary, field, elementsNullable, depth),
                IEnumerable items => InList(items, field, elementsNullable, depth),
                var nested => Walk(nested, field, depth + 1),
            };
            if (found is not null)
            {
                return found;
            }
        }

        return null;
    }

    private static string? InDictionary(IDictionary dictionary, string field, bool elementsNullable, int depth)
    {
        foreach (DictionaryEntry entry in dictionary)
        {
            var at = field + "." + entry.Key;
            if (entry.Value is null)
            {
                if (!elementsNullable)
                {
                    return at;
                }

                continue;
            }

            if (Walk(entry.Value, at, depth + 1) is { } inner)
            {
                return inner;
            }
        }

        return null;
    }

    private static string? InList(IEnumerable items, string field, bool elementsNullable, int depth)
    {
        var index = 0;
        foreach (var item in items)
        {
            var at = $"{field}[{index++}]";
            if (item is null)
            {
                if (!elementsNullable)
                {
                    return at;
                }

                continue;
            }

            if (Walk(item, at, depth + 1) is { } inner)
            {
                return inner;
            }
        }

        return null;
    }

    private static bool IsOurs(Type type) => type.Namespace?.StartsWith("Comx.", StringComparison.Ordinal) == true && !type.IsEnum;

    private static IReadOnlyList<(PropertyInfo, string, bool)> ShapeOf(Type type) => Shapes.GetOrAdd(type, static t =>
    {
        var context = new NullabilityInfoContext();
        var shape = new List<(PropertyInfo, string, bool)>();
        foreach (var property in t.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || property.GetCustomAttribute<JsonIgnoreAttribute>() is not null
                || property.PropertyType == typeof(string) || property.PropertyType.IsValueType)
            {
                continue;
            }

            var info = context.Create(property);
            var element = info.ElementType ?? (info.GenericTypeArguments.Length > 0 ? info.GenericTypeArguments[^1] : null);
            var name = property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.SnakeCaseLower.ConvertName(property.Name);
            shape.Add((property, name, element is null || element.ReadState != NullabilityState.NotNull));
        }

        return shape;
    });
}
