using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Comx.Tests.Infra;

/// <summary>
/// Reads what main.bicep deploys from its compiled ARM JSON: the function app's settings and the storage module's tables,
/// queues and containers. Only values Bicep leaves literal (or as a root variable) are read; anything computed at deploy
/// time is kept as its expression text.
/// </summary>
public sealed partial class ArmTemplate(JsonObject root)
{
    public JsonObject Root { get; } = root;

    public static ArmTemplate Parse(string json) =>
        new(JsonNode.Parse(json)?.AsObject() ?? throw new InvalidOperationException("Empty ARM template."));

    /// <summary>Every resource of the template and of its nested module templates, each with the module that holds it.</summary>
    public IEnumerable<(JsonObject Resource, JsonObject? Module)> Resources() => ResourcesOf(Root, module: null);

    /// <summary>Every resource of one type, anywhere in the template.</summary>
    public IReadOnlyList<(JsonObject Resource, JsonObject? Module)> ResourcesOfType(string type) =>
        [.. Resources().Where(r => string.Equals((string?)r.Resource["type"], type, StringComparison.OrdinalIgnoreCase))];

    /// <summary>The function app's settings (the <c>appsettings</c> config resource), name → value or expression text.</summary>
    public IReadOnlyDictionary<string, string> AppSettings()
    {
        var config = ResourcesOfType("Microsoft.Web/sites/config")
            .Single(r => ((string?)r.Resource["name"] ?? "").Contains("appsettings", StringComparison.Ordinal));
        var settings = Resolve(config.Resource["properties"], config.Module)?.AsObject()
            ?? throw new InvalidOperationException("The appsettings resource has no properties.");
        return settings.ToDictionary(p => p.Key, p => p.Value?.ToString() ?? "", StringComparer.Ordinal);
    }

    /// <summary>
    /// The names a storage child resource loop (tables, queues, containers) creates: the array module parameter its name
    /// indexes with <c>copyIndex()</c>, plus any literal-parameter items concatenated in front of it.
    /// </summary>
    public IReadOnlyList<string> StorageChildNames(string childType)
    {
        var (resource, module) = ResourcesOfType(childType).Single();
        var name = (string?)resource["name"] ?? "";
        var parameters = ParameterReference().Matches(name).Select(m => m.Groups[1].Value).Where(p => p != "name").ToList();
        Assert.True(resource["copy"] is not null && name.Contains("[copyIndex()]", StringComparison.Ordinal), $"{childType} is not created in a loop: {name}");
        var names = new List<string>();
        foreach (var parameter in parameters)
        {
            var value = Resolve(ModuleParameter(module, parameter), module);
            names.AddRange(value switch
            {
                JsonArray array => array.Select(v => (string?)v ?? ""),
                JsonValue single => [(string?)single ?? ""],
                _ => throw new InvalidOperationException($"{parameter} of {childType} is not a literal."),
            });
        }

        return names;
    }

    private JsonNode? Resolve(JsonNode? value, JsonObject? module)
    {
        if (value is JsonValue v && v.TryGetValue<string>(out var text))
        {
            if (module is not null && ParameterExpression().Match(text) is { Success: true } parameter)
            {
                return Resolve(ModuleParameter(module, parameter.Groups[1].Value), module: null);
            }

            if (VariableExpression().Match(text) is { Success: true } variable)
            {
                return Root["variables"]?[variable.Groups[1].Value];
            }
        }

        return value;
    }

    private static JsonNode? ModuleParameter(JsonObject? module, string name) =>
        module?["properties"]?["parameters"]?[name]?["value"]
        ?? throw new InvalidOperationException($"The module passes no value for parameter {name}.");

    private static IEnumerable<(JsonObject, JsonObject?)> ResourcesOf(JsonObject template, JsonObject? module)
    {
        IEnumerable<JsonNode?> resources = template["resources"] switch
        {
            JsonObject byName => byName.Select(p => p.Value),   // languageVersion 2.0: symbolic names
            JsonArray list => list,
            _ => [],
        };
        foreach (var resource in resources.OfType<JsonObject>())
        {
            yield return (resource, module);
            if (resource["properties"] is JsonObject properties && properties["template"] is JsonObject nested)
            {
                foreach (var inner in ResourcesOf(nested, resource))
                {
                    yield return inner;
                }
            }
        }
    }

    [GeneratedRegex(@"^\[parameters\('(\w+)'\)\]$")]
    private static partial Regex ParameterExpression();

    [GeneratedRegex(@"^\[variables\('(\w+)'\)\]$")]
    private static partial Regex VariableExpression();

    [GeneratedRegex(@"parameters\('(\w+)'\)")]
    private static partial Regex ParameterReference();
}
