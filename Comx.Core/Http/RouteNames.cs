namespace Comx.Core.Http;

/// <summary>Route names: the Azure Function names, and the keys of the route table.</summary>
public static class RouteNames
{
    public const string Health = "Health";
    public const string OpenApi = "OpenApi";
    public const string Fallback = "Fallback";

    public const string GetMe = "GetMe";
    public const string GetWidget = "GetWidget";
    public const string PutWidget = "PutWidget";
    public const string ListApiKeys = "ListApiKeys";
    public const string CreateApiKey = "CreateApiKey";
    public const string RevokeApiKey = "RevokeApiKey";
    public const string RotateApiKey = "RotateApiKey";
    public const string ClerkWebhook = "ClerkWebhook";
    public const string StripeWebhook = "StripeWebhook";
}
