using System.Net;
using Comx.Core;
using Comx.Functions;
using Comx.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Comx.Tests.Functions;

/// <summary>
/// The worker's own composition (<see cref="ComxWorker.AddComxWorker"/>) behind a TestServer that plays the Functions
/// host: the request arrives over the host's loopback hop, passes the worker's forwarded-headers step with the options
/// the worker's composition registers, is given to the function the host would pick (<see cref="HostRouteSelection"/>
/// over the generated metadata), and that function's compiled method runs. The gRPC invocation between host and worker
/// is the one part not reproduced: the Functions host itself cannot be installed here.
/// </summary>
public sealed class WorkerTestHost : IAsyncDisposable
{
    private readonly IHost _worker;
    private readonly IHost _server;

    private WorkerTestHost(IHost worker, IHost server)
    {
        _worker = worker;
        _server = server;
        Client = server.GetTestClient();
    }

    public HttpClient Client { get; }

    public IServiceProvider Services => _worker.Services;

    /// <summary>The worker's service graph, built from the composition Program.cs runs, with the tests' settings.</summary>
    public static IHost BuildWorker(bool validate = false, Action<IServiceCollection>? services = null)
    {
        var builder = FunctionsApplication.CreateBuilder([]);
        builder.Configuration.AddInMemoryCollection(TestSettings.Defaults);

        // The host passes its gRPC endpoint on the command line; the channel is built here but never opened.
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Functions:Worker:HostEndpoint"] = "http://127.0.0.1:9" });
        builder.AddComxWorker();
        services?.Invoke(builder.Services);
        if (validate)
        {
            builder.ConfigureContainer(new DefaultServiceProviderFactory(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true }));
        }

        return builder.Build();
    }

    public static async Task<WorkerTestHost> StartAsync(Action<IServiceCollection>? services = null)
    {
        var worker = BuildWorker(services: services);

        // Only Core's own start-up (tables, queues): the worker's gRPC channel to a host is not started.
        foreach (var service in worker.Services.GetServices<IHostedService>().Where(s => s.GetType().Assembly == typeof(ComxCoreServices).Assembly))
        {
            await service.StartAsync(CancellationToken.None);
        }

        var generated = await WorkerBuild.GeneratedFunctionsAsync();
        var selection = new HostRouteSelection(generated);
        var functions = generated.ToDictionary(f => f.Name, f => f.EntryPoint, StringComparer.Ordinal);
        var forwarded = worker.Services.GetRequiredService<IOptions<ForwardedHeadersOptions>>().Value;
        var server = new HostBuilder()
            .ConfigureWebHost(web => web.UseTestServer().Configure(app =>
            {
                // The Functions host proxies every request to the worker over loopback.
                app.Use((context, next) =>
                {
                    context.Connection.RemoteIpAddress = IPAddress.Loopback;
                    return next(context);
                });
                app.UseForwardedHeaders(forwarded);
                app.Run(async context =>
                {
                    var name = await selection.SelectAsync(context.Request.Method, context.Request.Path);
                    if (name is null)
                    {
                        context.Response.StatusCode = StatusCodes.Status404NotFound;
                        return;
                    }

                    var result = await InvokeAsync(worker.Services, functions[name], context);
                    context.Response.Headers["X-Test-Function"] = name;
                    await result.ExecuteAsync(context);
                });
            }))
            .Build();
        await server.StartAsync();
        return new WorkerTestHost(worker, server);
    }

    private static async Task<IResult> InvokeAsync(IServiceProvider services, string entryPoint, HttpContext context)
    {
        var method = WorkerBuild.Method(entryPoint);
        await using var scope = services.CreateAsyncScope();
        var instance = ActivatorUtilities.CreateInstance(scope.ServiceProvider, method.DeclaringType!);
        return await (Task<IResult>)method.Invoke(instance, [context.Request, context.RequestAborted])!;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _server.StopAsync();
        _server.Dispose();
        _worker.Dispose();
    }
}
