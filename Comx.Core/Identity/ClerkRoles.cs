namespace Comx.Core.Identity;

/// <summary>
/// Organisation roles in one spelling, <c>org:&lt;role&gt;</c>, whatever the source: v1 session claims (<c>org:admin</c>),
/// v2 claims (<c>admin</c>, no prefix), organisations created before December 2023 (<c>admin</c>, <c>basic_member</c>)
/// and webhook payloads.
/// </summary>
public static class ClerkRoles
{
    public const string Admin = "org:admin";
    public const string Member = "org:member";

    private const string Prefix = "org:";

    /// <summary><c>admin</c> → <c>org:admin</c>; <c>member</c>/<c>basic_member</c> → <c>org:member</c>; custom <c>x</c> → <c>org:x</c>; blank → null.</summary>
    public static string? Normalize(string? role)
    {
        var bare = role?.Trim();
        if (string.IsNullOrEmpty(bare))
        {
            return null;
        }

        if (bare.StartsWith(Prefix, StringComparison.Ordinal))
        {
            bare = bare[Prefix.Length..];
        }

        return bare switch
        {
            "" => null,
            "admin" => Admin,
            "member" or "basic_member" => Member,
            _ => Prefix + bare,
        };
    }
}
