using Comx.DevHost;

var builder = DevHostApp.CreateBuilder(args);
if (builder.Configuration["urls"] is null && builder.Configuration["ASPNETCORE_URLS"] is null)
{
    builder.WebHost.UseUrls(DevHostApp.DefaultUrl);
}

var app = DevHostApp.Configure(builder.Build());
await app.RunAsync();
