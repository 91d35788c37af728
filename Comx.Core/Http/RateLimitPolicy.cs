namespace Comx.Core.Http;

/// <summary>A fixed-window limit. Counters live in Table Storage so every instance shares them.</summary>
public sealed record RateLimitPolicy(string Name, int Limit, TimeSpan Window)
{
    public static readonly RateLimitPolicy PublicChat = new("public-chat", 20, TimeSpan.FromMinutes(1));
    public static readonly RateLimitPolicy PublicEnquiry = new("public-enquiry", 5, TimeSpan.FromMinutes(1));
    /// <summary>The widget's polling reads (messages, an answer, its config): 120 a minute per IP (docs/decisions/006).</summary>
    public static readonly RateLimitPolicy PublicReads = new("public-read", 120, TimeSpan.FromMinutes(1));
    public static readonly RateLimitPolicy OrgApi = new("org-api", 60, TimeSpan.FromMinutes(1));

    /// <summary>More than 10 failed authentications a minute from one IP are refused before any credential is checked.</summary>
    public static readonly RateLimitPolicy AuthFailures = new("auth-failures", 10, TimeSpan.FromMinutes(1));
}
