using Comx.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Comx.Functions;

/// <summary>The worker's composition: Program.cs runs it, and Comx.Tests builds the same service graph from it.</summary>
public static class ComxWorker
{
    public static FunctionsApplicationBuilder AddComxWorker(this FunctionsApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.ConfigureFunctionsWebApplication();

        // The ASP.NET Core integration turns on every forwarded header and trusts the host's loopback hop, which moves the
        // rightmost X-Forwarded-For entry (the one no client can write) into RemoteIpAddress and leaves the client's own
        // entries for Core. Core reads X-Forwarded-For itself (ClientIp, Comx:Network:ForwardedHops), the same way on
        // both hosts, so the worker must pass the header through untouched (docs/decisions/010-client-ip-in-worker.md).
        // PostConfigure: runs after the integration's own Configure, whatever order the registrations ran in.
        builder.Services.PostConfigure<ForwardedHeadersOptions>(options => options.ForwardedHeaders = ForwardedHeaders.None);

        builder.Services.AddComxCore(builder.Configuration);
        return builder;
    }
}
