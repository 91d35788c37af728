using System.Text.Json.Nodes;
using Comx.Core.Storage;

namespace Comx.Tests.Infra;

/// <summary>The tables, queues and containers Bicep creates are exactly those of <see cref="StorageNames"/>.</summary>
public sealed class StorageNamesTests
{
    /// <summary>Holds the Flex Consumption deployment package; the app itself never reads it.</summary>
    private const string DeploymentContainer = "app-package";

    [Fact]
    public async Task BicepTables_AreStorageNamesTables()
    {
        var tables = (await CompiledMain.TemplateAsync()).StorageChildNames("Microsoft.Storage/storageAccounts/tableServices/tables");

        AssertSameNames(StorageNames.Tables.All, tables);
    }

    [Fact]
    public async Task BicepQueues_AreEveryQueueAndItsPoisonQueue()
    {
        var queues = (await CompiledMain.TemplateAsync()).StorageChildNames("Microsoft.Storage/storageAccounts/queueServices/queues");
        var expected = StorageNames.Queues.All.SelectMany(q => new[] { q, StorageNames.Queues.Poison(q) });

        AssertSameNames(expected, queues);
    }

    [Fact]
    public async Task BicepContainers_AreStorageNamesContainersAndTheDeploymentContainer()
    {
        var containers = (await CompiledMain.TemplateAsync()).StorageChildNames("Microsoft.Storage/storageAccounts/blobServices/containers");

        AssertSameNames(StorageNames.Containers.All.Append(DeploymentContainer), containers);
    }

    [Fact]
    public async Task Template_KeepsTheRequiredHardening()
    {
        var template = await CompiledMain.TemplateAsync();
        var storage = template.ResourcesOfType("Microsoft.Storage/storageAccounts").Single().Resource["properties"]!;
        var plan = template.ResourcesOfType("Microsoft.Web/serverfarms").Single().Resource;
        var site = template.ResourcesOfType("Microsoft.Web/sites").Single().Resource["properties"]!;
        var vault = template.ResourcesOfType("Microsoft.KeyVault/vaults").Single().Resource["properties"]!;
        var insights = template.ResourcesOfType("Microsoft.Insights/components").Single().Resource["properties"]!;
        var basicAuth = template.ResourcesOfType("Microsoft.Web/sites/basicPublishingCredentialsPolicies");

        Assert.Equal("StorageV2", (string?)template.ResourcesOfType("Microsoft.Storage/storageAccounts").Single().Resource["kind"]);
        Assert.False((bool?)storage["allowSharedKeyAccess"]);
        Assert.False((bool?)storage["allowBlobPublicAccess"]);
        Assert.Equal("TLS1_2", (string?)storage["minimumTlsVersion"]);
        Assert.Equal("FC1", (string?)plan["sku"]?["name"]);
        Assert.True((bool?)plan["properties"]?["reserved"]);
        Assert.True((bool?)site["httpsOnly"]);
        Assert.Equal("1.2", (string?)site["siteConfig"]?["minTlsVersion"]);
        Assert.Equal("Disabled", (string?)site["siteConfig"]?["ftpsState"]);
        Assert.Empty(site["siteConfig"]?["cors"]?["allowedOrigins"]?.AsArray() ?? []);
        Assert.Equal("[parameters('identityId')]", (string?)site["keyVaultReferenceIdentity"]);
        Assert.Equal("dotnet-isolated", (string?)site["functionAppConfig"]?["runtime"]?["name"]);
        Assert.Equal("10.0", (string?)site["functionAppConfig"]?["runtime"]?["version"]);
        Assert.Equal("UserAssignedIdentity", (string?)site["functionAppConfig"]?["deployment"]?["storage"]?["authentication"]?["type"]);
        Assert.True((bool?)vault["enableRbacAuthorization"]);
        Assert.True((bool?)insights["DisableLocalAuth"]);
        Assert.Equal(2, basicAuth.Count);
        Assert.All(basicAuth, p => Assert.False((bool?)p.Resource["properties"]?["allow"]));
        Assert.Equal(
            ["0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3", "3913510d-42f4-4e42-8a64-420c390055eb", "4633458b-17de-408a-b874-0445c86b69e6",
             "974c5e8b-45b9-4653-ba55-5f855dd0fb88", "b7e6dc6d-f1e8-4753-8033-0f276bb0955b"],
            RoleIds(template));
    }

    private static void AssertSameNames(IEnumerable<string> expected, IReadOnlyList<string> bicep)
    {
        var missing = expected.Except(bicep, StringComparer.Ordinal).ToList();
        var extra = bicep.Except(expected, StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0 && bicep.Distinct().Count() == bicep.Count,
            $"infra/bicep/main.bicep lacks [{string.Join(", ", missing)}]; has [{string.Join(", ", extra)}] that StorageNames does not; "
            + $"duplicates: [{string.Join(", ", bicep.GroupBy(n => n).Where(g => g.Count() > 1).Select(g => g.Key))}]");
    }

    /// <summary>Every built-in role the template assigns: literal role ids, inline or in a module's variables.</summary>
    private static List<string> RoleIds(ArmTemplate template) =>
        [.. template.Resources()
            .Where(r => r.Module is not null)
            .SelectMany(r => r.Module!["properties"]?["template"]?["variables"]?.AsObject() ?? [])
            .DistinctBy(v => v.Value)
            .SelectMany(v => v.Value switch { JsonArray a => a.Select(x => (string?)x), JsonValue s => [(string?)s], _ => [] })
            .OfType<string>()
            .Where(s => Guid.TryParse(s, out _))
            .Distinct()
            .Order(StringComparer.Ordinal)];
}
