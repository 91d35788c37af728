namespace Comx.Core.Http;

/// <summary>A parsed route template: literal segments and <c>{name}</c> parameters (no constraints, no catch-alls).</summary>
internal sealed class RouteTemplate
{
    private readonly string?[] _literals;
    private readonly string?[] _parameters;

    private RouteTemplate(string?[] literals, string?[] parameters)
    {
        _literals = literals;
        _parameters = parameters;
    }

    public IEnumerable<string> ParameterNames => _parameters.OfType<string>();

    public static RouteTemplate Parse(string template)
    {
        var segments = template.Split('/');
        var literals = new string?[segments.Length];
        var parameters = new string?[segments.Length];
        for (var i = 0; i < segments.Length; i++)
        {
            var segment = segments[i];
            if (segment.StartsWith('{') && segment.EndsWith('}'))
            {
                parameters[i] = segment[1..^1];
            }
            else
            {
                literals[i] = segment;
            }
        }

        return new RouteTemplate(literals, parameters);
    }

    /// <summary>Matches path segments (already split, prefix removed); fills route values on success.</summary>
    public bool TryMatch(string[] segments, out Dictionary<string, string> values)
    {
        values = [];
        if (segments.Length != _literals.Length)
        {
            return false;
        }

        for (var i = 0; i < segments.Length; i++)
        {
            if (_literals[i] is { } literal)
            {
                if (!string.Equals(literal, segments[i], StringComparison.OrdinalIgnoreCase))
                {
                    return false;
                }
            }
            else if (segments[i].Length == 0)
            {
                return false;
            }
            else
            {
                values[_parameters[i]!] = Uri.UnescapeDataString(segments[i]);
            }
        }

        return true;
    }

    /// <summary>Literal segments win over parameters, left to right (as ASP.NET Core routing orders them).</summary>
    public int CompareSpecificity(RouteTemplate other)
    {
        for (var i = 0; i < Math.Min(_literals.Length, other._literals.Length); i++)
        {
            var mine = _literals[i] is not null;
            var theirs = other._literals[i] is not null;
            if (mine != theirs)
            {
                return mine ? 1 : -1;
            }
        }

        return 0;
    }
}
