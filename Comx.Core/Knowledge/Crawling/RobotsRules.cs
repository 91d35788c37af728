namespace Comx.Core.Knowledge.Crawling;

/// <summary>
/// The rules of a robots.txt for our crawler (RFC 9309): the group naming <c>comxbot</c>, else the <c>*</c> group;
/// the longest matching Allow or Disallow path wins, Allow on a tie; <c>*</c> and a trailing <c>$</c> are understood.
/// Also the <c>Sitemap:</c> lines, which belong to no group.
/// </summary>
public sealed class RobotsRules
{
    public const string Agent = "comxbot";

    private readonly List<(string Pattern, bool Allow)> _rules;

    private RobotsRules(List<(string, bool)> rules, IReadOnlyList<string> sitemaps)
    {
        _rules = rules;
        Sitemaps = sitemaps;
    }

    public static RobotsRules AllowAll { get; } = new([], []);

    public IReadOnlyList<string> Sitemaps { get; }

    public static RobotsRules Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var groups = new List<(List<string> Agents, List<(string, bool)> Rules)>();
        var sitemaps = new List<string>();
        (List<string> Agents, List<(string, bool)> Rules)? current = null;
        var lastWasAgent = false;
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.Split('#')[0].Trim();
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            var field = line[..colon].Trim().ToLowerInvariant();
            var value = line[(colon + 1)..].Trim();
            switch (field)
            {
                case "user-agent":
                    if (current is null || !lastWasAgent)
                    {
                        current = ([], []);
                        groups.Add(current.Value);
                    }

                    current.Value.Agents.Add(value.ToLowerInvariant());
                    lastWasAgent = true;
                    continue;
                case "allow" or "disallow" when current is not null:
                    if (value.Length > 0)
                    {
                        current.Value.Rules.Add((value, field == "allow"));
                    }

                    break;
                case "sitemap":
                    sitemaps.Add(value);
                    break;
            }

            lastWasAgent = false;
        }

        var chosen = groups.Where(g => g.Agents.Any(a => a == Agent || Agent.StartsWith(a, StringComparison.Ordinal) && a.Length > 0 && a != "*")).ToList();
        if (chosen.Count == 0)
        {
            chosen = [.. groups.Where(g => g.Agents.Contains("*"))];
        }

        return new RobotsRules([.. chosen.SelectMany(g => g.Rules)], sitemaps);
    }

    /// <summary>Whether the path (with its query) may be fetched.</summary>
    public bool Allows(string pathAndQuery)
    {
        ArgumentNullException.ThrowIfNull(pathAndQuery);
        var best = -1;
        var allowed = true;
        foreach (var (pattern, allow) in _rules)
        {
            if (Matches(pattern, pathAndQuery) && (pattern.Length > best || (pattern.Length == best && allow)))
            {
                best = pattern.Length;
                allowed = allow;
            }
        }

        return allowed;
    }

    private static bool Matches(string pattern, string path)
    {
        var anchored = pattern.EndsWith('$');
        var parts = (anchored ? pattern[..^1] : pattern).Split('*');
        var at = 0;
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            if (i == 0)
            {
                if (!path.StartsWith(part, StringComparison.Ordinal))
                {
                    return false;
                }

                at = part.Length;
                continue;
            }

            var found = path.IndexOf(part, at, StringComparison.Ordinal);
            if (found < 0)
            {
                return false;
            }

            at = found + part.Length;
        }

        return !anchored || at == path.Length || (parts.Length > 1 && parts[^1].Length == 0);
    }
}
