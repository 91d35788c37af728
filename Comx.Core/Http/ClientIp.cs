using System.Net;
using Microsoft.AspNetCore.Http;

namespace Comx.Core.Http;

/// <summary>
/// The client address used for per-IP limits. Azure's front end appends the address it accepted the connection
/// from to <c>X-Forwarded-For</c>; everything to the left of that entry was written by the client and can be forged.
/// So we count <c>ForwardedHops</c> entries from the right (1 on Azure Functions: the front end is the only proxy we
/// trust) and fall back to the socket address when the header is absent. Ports and IPv6 brackets are stripped.
/// </summary>
public static class ClientIp
{
    public static string Resolve(HttpRequest request, int forwardedHops)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (forwardedHops > 0 && request.Headers.TryGetValue("X-Forwarded-For", out var forwarded))
        {
            var entries = string.Join(',', forwarded.ToArray()).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (entries.Length > 0)
            {
                var index = Math.Max(0, entries.Length - forwardedHops);
                if (Normalise(entries[index]) is { } address)
                {
                    return address;
                }
            }
        }

        return request.HttpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown";
    }

    private static string? Normalise(string entry)
    {
        if (IPAddress.TryParse(entry, out var plain))
        {
            return plain.ToString();
        }

        // "1.2.3.4:5678" or "[2001:db8::1]:443"
        if (IPEndPoint.TryParse(entry, out var endpoint))
        {
            return endpoint.Address.ToString();
        }

        return null;
    }
}
