namespace Comx.Core.Http;

/// <summary>Route names: the Azure Function names, and the keys of the route table.</summary>
public static class RouteNames
{
    public const string Health = "Health";
    public const string OpenApi = "OpenApi";
    public const string Fallback = "Fallback";
}
