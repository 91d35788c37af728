using Comx.Core.Http;

namespace Comx.Core.Templates;

/// <summary>
/// Parses <c>{{variable}}</c> placeholders. A name is a letter or underscore followed by letters, digits, underscores
/// or dots (<c>{{ learner.first_name }}</c>); spaces inside the braces are allowed. A lone <c>{</c> or <c>}</c> is
/// plain text; an unclosed <c>{{</c>, a stray <c>}}</c>, an empty or badly named placeholder is an error naming its
/// position.
/// </summary>
public static partial class TemplateParser
{
    public const int MaxVariables = 50;

    public static (IReadOnlyList<string> Variables, IReadOnlyList<FieldError> Errors) Parse(string body, string field = "body")
    {
        ArgumentNullException.ThrowIfNull(body);
        var variables = new List<string>();
        var errors = new List<FieldError>();
        var i = 0;
        while (i < body.Length)
        {
            var open = body.IndexOf("{{", i, StringComparison.Ordinal);
            var close = body.IndexOf("}}", i, StringComparison.Ordinal);
            if (close >= 0 && (open < 0 || close < open))
            {
                errors.Add(new FieldError(field, $"Unbalanced braces: '}}}}' at position {close} closes no placeholder."));
                i = close + 2;
                continue;
            }

            if (open < 0)
            {
                break;
            }

            var end = body.IndexOf("}}", open + 2, StringComparison.Ordinal);
            var nextOpen = body.IndexOf("{{", open + 2, StringComparison.Ordinal);
            if (end < 0 || (nextOpen >= 0 && nextOpen < end))
            {
                errors.Add(new FieldError(field, $"Unbalanced braces: '{{{{' at position {open} is never closed."));
                i = open + 2;
                continue;
            }

            var name = body[(open + 2)..end].Trim();
            if (!IsValidName(name))
            {
                errors.Add(new FieldError(field, name.Length == 0
                    ? $"Empty placeholder at position {open}."
                    : $"'{name}' at position {open} is not a valid variable name (letters, digits, _ and ., starting with a letter or _)."));
            }
            else if (!variables.Contains(name, StringComparer.Ordinal))
            {
                variables.Add(name);
            }

            i = end + 2;
        }

        if (variables.Count > MaxVariables)
        {
            errors.Add(new FieldError(field, $"At most {MaxVariables} distinct variables."));
        }

        return (variables, errors);
    }

    private static bool IsValidName(string name) =>
        name.Length is > 0 and <= 64
        && (char.IsAsciiLetter(name[0]) || name[0] == '_')
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.')
        && !name.EndsWith('.') && !name.Contains("..", StringComparison.Ordinal);

    /// <summary>
    /// Fills each placeholder of a body that parsed cleanly with its value; the names of placeholders with no value come
    /// back in <c>Missing</c>, in order of first use.
    /// </summary>
    public static (string Text, IReadOnlyList<string> Missing) Render(string body, IReadOnlyDictionary<string, string> variables)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(variables);
        var missing = new List<string>();
        var text = Placeholder().Replace(body, match =>
        {
            var name = match.Groups[1].Value;
            if (variables.TryGetValue(name, out var value))
            {
                return value;
            }

            if (!missing.Contains(name, StringComparer.Ordinal))
            {
                missing.Add(name);
            }

            return match.Value;
        });
        return (text, missing);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}")]
    private static partial System.Text.RegularExpressions.Regex Placeholder();
}
