using Comx.Core;
using Comx.Core.Http;
using Comx.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Comx.Tests.Operations;

public sealed class OpenApiTests : IAsyncLifetime
{
    private TestApp _app = null!;

    public async ValueTask InitializeAsync() => _app = await TestApp.StartAsync();

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task OpenApiDocument_IsAcceptedByAnOpenApi31Validator()
    {
        var response = await _app.Client.GetAsync(new Uri("/api/openapi.json", UriKind.Relative));
        var document = await response.JsonAsync(200);
        Assert.Equal("3.1.0", document.GetProperty("openapi").GetString());

        var file = Path.Combine(Path.GetTempPath(), $"comx-openapi-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, document.ToString());
        var (exitCode, output, error) = await Node.RunAsync("tools/validate-openapi.mjs", file);
        File.Delete(file);

        Assert.True(exitCode == 0, output + error);
    }

    [Fact]
    public async Task OpenApiDocument_DescribesEveryRouteOfTheTable()
    {
        var document = await (await _app.Client.GetAsync(new Uri("/api/openapi.json", UriKind.Relative))).JsonAsync(200);
        var paths = document.GetProperty("paths");
        foreach (var route in _app.Services.GetRequiredService<RouteTable>().Routes)
        {
            var operation = paths.GetProperty("/api/" + route.Path).GetProperty(route.Method.ToLowerInvariant());
            Assert.Equal(route.Name, operation.GetProperty("operationId").GetString());
        }
    }

    [Fact]
    public void Composition_BuildsWithValidateOnBuild()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(TestSettings.Defaults).Build();
        var services = new ServiceCollection().AddLogging().AddComxCore(configuration);
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        Assert.NotEmpty(provider.GetRequiredService<RouteTable>().Routes);
    }
}
