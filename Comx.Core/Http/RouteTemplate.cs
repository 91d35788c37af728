using System.Text.RegularExpressions;

namespace Comx.Core.Http;

/// <summary>
/// A parsed route template: literal segments and <c>{name}</c> or <c>{name:regex(pattern)}</c> parameters (no optional
/// parameters, no catch-alls). The regex is applied the way ASP.NET Core's <c>RegexRouteConstraint</c> applies it in the
/// Functions host (case-insensitive, culture-invariant, unanchored unless the pattern anchors it), so the DevHost and the
/// host accept the same paths.
/// </summary>
internal sealed class RouteTemplate
{
    private const string RegexConstraint = "regex(";
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(10);

    private readonly Segment[] _segments;

    private RouteTemplate(Segment[] segments, string path)
    {
        _segments = segments;
        Path = path;
    }

    /// <summary>The template without constraints (<c>org/v1/actions/{proposalId}</c>), as clients and OpenAPI write it.</summary>
    public string Path { get; }

    public IEnumerable<string> ParameterNames => _segments.Where(s => s.Parameter is not null).Select(s => s.Parameter!);

    /// <summary>Each parameter with its regex constraint, or null where it has none.</summary>
    public IEnumerable<(string Name, string? Pattern)> Parameters =>
        _segments.Where(s => s.Parameter is not null).Select(s => (s.Parameter!, s.Constraint?.ToString()));

    public static RouteTemplate Parse(string template)
    {
        ArgumentNullException.ThrowIfNull(template);
        var parts = template.Split('/');
        var segments = new Segment[parts.Length];
        var path = new string[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            if (!(part.StartsWith('{') && part.EndsWith('}')))
            {
                if (part.Contains('{', StringComparison.Ordinal) || part.Contains('}', StringComparison.Ordinal))
                {
                    throw new FormatException($"Route template '{template}': a parameter must be a whole segment ('{part}').");
                }

                segments[i] = new Segment(part, null, null);
                path[i] = part;
                continue;
            }

            var inner = part[1..^1];
            var colon = inner.IndexOf(':', StringComparison.Ordinal);
            var name = colon < 0 ? inner : inner[..colon];
            if (name.Length == 0 || !name.All(char.IsAsciiLetterOrDigit))
            {
                throw new FormatException($"Route template '{template}': '{part}' is not a plain parameter name (no optional or catch-all parameters).");
            }

            Regex? constraint = null;
            if (colon >= 0)
            {
                var text = inner[(colon + 1)..];
                if (!text.StartsWith(RegexConstraint, StringComparison.Ordinal) || !text.EndsWith(')') || text.IndexOfAny(['{', '}']) >= 0)
                {
                    throw new FormatException($"Route template '{template}': only one regex(...) constraint without braces is supported ('{text}').");
                }

                constraint = new Regex(text[RegexConstraint.Length..^1], RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, MatchTimeout);
            }

            segments[i] = new Segment(null, name, constraint);
            path[i] = "{" + name + "}";
        }

        return new RouteTemplate(segments, string.Join('/', path));
    }

    /// <summary>Matches path segments (already split, prefix removed); fills route values on success.</summary>
    public bool TryMatch(string[] segments, out Dictionary<string, string> values)
    {
        values = [];
        if (segments.Length != _segments.Length)
        {
            return false;
        }

        for (var i = 0; i < segments.Length; i++)
        {
            var segment = _segments[i];
            if (segment.Literal is { } literal)
            {
                if (!string.Equals(literal, segments[i], StringComparison.OrdinalIgnoreCase))
                {
                    return false;
                }

                continue;
            }

            if (segments[i].Length == 0)
            {
                return false;
            }

            var value = Uri.UnescapeDataString(segments[i]);
            if (segment.Constraint is { } constraint && !constraint.IsMatch(value))
            {
                return false;
            }

            values[segment.Parameter!] = value;
        }

        return true;
    }

    /// <summary>Literal segments win over parameters, left to right (as ASP.NET Core routing orders them).</summary>
    public int CompareSpecificity(RouteTemplate other)
    {
        ArgumentNullException.ThrowIfNull(other);
        for (var i = 0; i < Math.Min(_segments.Length, other._segments.Length); i++)
        {
            var mine = _segments[i].Literal is not null;
            var theirs = other._segments[i].Literal is not null;
            if (mine != theirs)
            {
                return mine ? 1 : -1;
            }
        }

        return 0;
    }

    private sealed record Segment(string? Literal, string? Parameter, Regex? Constraint);
}
