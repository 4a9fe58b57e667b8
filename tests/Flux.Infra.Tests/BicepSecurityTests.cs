using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Flux.Infra.Tests;

/// <summary>The compiled template holds no keys or secrets, and grants only the roles the app needs.</summary>
public sealed partial class BicepSecurityTests(CompiledTemplate template) : IClassFixture<CompiledTemplate>
{
    // Built-in role definition ids the app's identity (and the optional operator) may receive.
    private static readonly Dictionary<string, string> AllowedRoles = new()
    {
        ["b7e6dc6d-f1e8-4753-8033-0f276bb0955b"] = "Storage Blob Data Owner",
        ["974c5e8b-45b9-4653-ba55-5f855dd0fb88"] = "Storage Queue Data Contributor",
        ["0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3"] = "Storage Table Data Contributor",
        ["7f951dda-4ed3-4680-a7ca-43fe172d538d"] = "AcrPull",
        ["3913510d-42f4-4e42-8a64-420c390055eb"] = "Monitoring Metrics Publisher",
        ["d5a91429-5739-47e2-a06b-3470a27159e7"] = "EventGrid Data Sender (only with a configured topic)",
        ["ba92f5b4-2d11-453d-a403-e96b0029c9fe"] = "Storage Blob Data Contributor (operator)",
    };

    [Theory]
    [InlineData("listKeys")]
    [InlineData("listkeys")]
    [InlineData("AccountKey")]
    [InlineData("accountKey")]
    [InlineData("sharedKey")]
    [InlineData("DefaultEndpointsProtocol")]
    [InlineData("secretRef")]
    [InlineData("listCredentials")]
    [InlineData("SharedAccessSignature")]
    public void Template_ContainsNoKeysConnectionStringsOrSecretReferences(string forbidden)
    {
        Assert.DoesNotContain(forbidden, template.Json, StringComparison.Ordinal);
    }

    [Fact]
    public void Template_DeclaresNoSecretsOrSecureParameters()
    {
        var secrets = CompiledTemplate.Objects(template.Root).Where(o => o.ContainsKey("secrets")).ToList();
        var secureParameters = CompiledTemplate.Objects(template.Root)
            .Where(o => (string?)o["type"] is "securestring" or "secureObject").ToList();

        Assert.Empty(secrets);
        Assert.Empty(secureParameters);
    }

    [Fact]
    public void StorageAccounts_DisallowSharedKeyAndPublicBlobAccessAndOldTls()
    {
        var accounts = template.ResourcesOfType("Microsoft.Storage/storageAccounts").ToList();

        Assert.Equal(2, accounts.Count); // the app's account and the (optional) NFS model share account
        Assert.All(accounts, account =>
        {
            var properties = account["properties"]!;
            Assert.False((bool)properties["allowSharedKeyAccess"]!);
            Assert.False((bool)properties["allowBlobPublicAccess"]!);
            Assert.Equal("TLS1_2", (string?)properties["minimumTlsVersion"]);
        });
    }

    [Fact]
    public void AppStorage_HasTheContainersAndQueuesOfTheDesign()
    {
        var variables = template.TemplateDeclaring("Microsoft.Storage/storageAccounts/queueServices/queues")["variables"]!;

        Assert.Equal(
            ["flux-checkpoints", "flux-conditioning", "flux-images", "flux-inputs", "flux-models", "flux-prompts", "flux-rejections"],
            variables["containerNames"]!.AsArray().Select(v => (string)v!).Order());
        Assert.Equal(
            ["flux-events", "flux-jobs", "flux-jobs-poison"],
            variables["queueNames"]!.AsArray().Select(v => (string)v!).Order());
    }

    [Fact]
    public void LifecycleRule_DeletesStaleCheckpoints()
    {
        var policy = Assert.Single(template.ResourcesOfType("Microsoft.Storage/storageAccounts/managementPolicies"));
        var rules = policy["properties"]!["policy"]!["rules"]!.AsArray().Select(r => r!).ToList();

        var checkpoints = Assert.Single(rules, r => r["definition"]!["filters"]!["prefixMatch"]!.AsArray()
            .Any(p => (string?)p == "flux-checkpoints/"));
        Assert.True((bool)checkpoints["enabled"]!);
        Assert.Equal(
            "[parameters('checkpointRetentionDays')]",
            (string?)checkpoints["definition"]!["actions"]!["baseBlob"]!["delete"]!["daysAfterModificationGreaterThan"]);
    }

    [Fact]
    public void Monitoring_AndRegistry_HaveLocalAuthenticationDisabled()
    {
        var insights = Assert.Single(template.ResourcesOfType("Microsoft.Insights/components"));
        var workspace = Assert.Single(template.ResourcesOfType("Microsoft.OperationalInsights/workspaces"));
        var registry = Assert.Single(template.ResourcesOfType("Microsoft.ContainerRegistry/registries"));
        var environment = Assert.Single(template.ResourcesOfType("Microsoft.App/managedEnvironments"));

        Assert.True((bool)insights["properties"]!["DisableLocalAuth"]!);
        Assert.True((bool)workspace["properties"]!["features"]!["disableLocalAuth"]!);
        Assert.False((bool)registry["properties"]!["adminUserEnabled"]!);
        Assert.Equal("azure-monitor", (string?)environment["properties"]!["appLogsConfiguration"]!["destination"]);
    }

    [Fact]
    public void RoleAssignments_AreNamedWithGuidAndUseOnlyTheNeededRoles()
    {
        var assignments = template.ResourcesOfType("Microsoft.Authorization/roleAssignments").ToList();
        var assigningModules = template.AllResources()
            .Where(r => (string?)r.Resource["type"] == "Microsoft.Authorization/roleAssignments")
            .Select(r => r.Template).Distinct();
        var referencedIds = assigningModules
            .SelectMany(module => GuidPattern().Matches(CompiledTemplate.Text(module)).Select(m => m.Value))
            .ToHashSet();

        Assert.NotEmpty(assignments);
        Assert.All(assignments, a => Assert.StartsWith("[guid(", (string?)a["name"], StringComparison.Ordinal));
        Assert.Subset(AllowedRoles.Keys.ToHashSet(), referencedIds);
        Assert.Equal(AllowedRoles.Keys.Order(), referencedIds.Order());
    }

    [Fact]
    public void AppIdentity_IsTheOnlyIdentityAndIsUserAssigned()
    {
        var identities = template.ResourcesOfType("Microsoft.ManagedIdentity/userAssignedIdentities");
        var withIdentity = template.AllResources().Select(r => r.Resource).Where(r => r["identity"] is JsonObject).ToList();

        Assert.Single(identities);
        Assert.All(withIdentity, r => Assert.Equal("UserAssigned", (string?)r["identity"]!["type"]));
    }

    [GeneratedRegex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")]
    private static partial Regex GuidPattern();
}
