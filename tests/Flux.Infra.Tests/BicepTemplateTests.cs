using System.Text.Json.Nodes;

namespace Flux.Infra.Tests;

/// <summary>infra/main.bicep compiles and lints cleanly and declares the service DESIGN 5 and 7 describe.</summary>
public sealed class BicepTemplateTests(CompiledTemplate template) : IClassFixture<CompiledTemplate>
{
    private const string GpuT4 = "Consumption-GPU-NC8as-T4";
    private const string GpuA100 = "Consumption-GPU-NC24-A100";

    [Fact]
    public void Build_MainBicep_SucceedsWithoutErrorsOrWarnings()
    {
        Assert.True(template.Build.ExitCode == 0, template.Build.StandardError);
        Assert.Equal(string.Empty, template.Build.StandardError.Trim());
        Assert.NotEmpty(template.Root);
    }

    [Fact]
    public void Lint_MainBicep_ReportsNoDiagnostics()
    {
        var lint = BicepCli.Run("lint", RepoPaths.MainBicep, BicepCli.NoRestore);

        Assert.True(lint.ExitCode == 0, lint.StandardError);
        Assert.Equal(string.Empty, lint.StandardError.Trim());
        Assert.Equal(string.Empty, lint.StandardOutput.Trim());
    }

    [Fact]
    public void Templates_ReferenceOnlyLocalModules()
    {
        // Registry (br:, br/public:) and template-spec (ts:) modules would need the network to restore.
        var modules = Directory.EnumerateFiles(RepoPaths.Infra, "*.bicep", SearchOption.AllDirectories)
            .SelectMany(File.ReadLines)
            .Where(line => line.TrimStart().StartsWith("module ", StringComparison.Ordinal))
            .ToList();

        Assert.NotEmpty(modules);
        Assert.All(modules, line => Assert.Matches(@"^\s*module \w+ '[\w./-]+\.bicep'", line));
    }

    [Fact]
    public void GpuProfileParameter_AllowsExactlyTheServerlessT4AndA100Profiles()
    {
        var gpu = template.Root["parameters"]!["gpuProfileType"]!;

        Assert.Equal([GpuA100, GpuT4], AllowedValues(gpu).Order());
        Assert.Equal(GpuT4, (string?)gpu["defaultValue"]);
    }

    [Fact]
    public void Environment_HasConsumptionAndTheChosenGpuWorkloadProfile()
    {
        var environment = Assert.Single(template.ResourcesOfType("Microsoft.App/managedEnvironments"));
        var module = template.TemplateDeclaring("Microsoft.App/managedEnvironments");
        var profiles = environment["properties"]!["workloadProfiles"]!.AsArray().Select(p => p!.AsObject()).ToList();

        Assert.Contains(profiles, p => (string?)p["workloadProfileType"] == "Consumption");
        var gpuProfile = Assert.Single(profiles, p => (string?)p["workloadProfileType"] == "[parameters('gpuProfileType')]");
        Assert.Equal([GpuA100, GpuT4], AllowedValues(module["parameters"]!["gpuProfileType"]!).Order());
        Assert.Equal("[parameters('gpuProfileName')]", (string?)gpuProfile["name"]);
    }

    [Fact]
    public void FunctionApp_IsContainerAppOfKindFunctionAppOnTheGpuProfile()
    {
        var app = Assert.Single(template.ResourcesOfType("Microsoft.App/containerApps"));
        var properties = app["properties"]!;

        Assert.Equal("functionapp", (string?)app["kind"]);
        Assert.Equal("[parameters('gpuProfileName')]", (string?)properties["workloadProfileName"]);
        Assert.Equal("[parameters('minReplicas')]", (string?)properties["template"]!["scale"]!["minReplicas"]);
        Assert.Equal("[parameters('maxReplicas')]", (string?)properties["template"]!["scale"]!["maxReplicas"]);
        Assert.Contains("'azd-service-name', 'api'", (string?)app["tags"], StringComparison.Ordinal);
        Assert.Equal(1, (int?)template.Root["parameters"]!["minReplicas"]!["defaultValue"]);
    }

    [Fact]
    public void FunctionApp_RequestsTheWholeGpuReplicaOfEachProfile()
    {
        var module = template.TemplateDeclaring("Microsoft.App/containerApps");
        var sizes = module["variables"]!["gpuReplicaResources"]!;

        // Serverless GPU replica sizes: T4 = 8 vCPU / 56 GiB, A100 = 24 vCPU / 220 GiB.
        Assert.Equal(8, (int?)sizes[GpuT4]!["cpu"]);
        Assert.Equal("56Gi", (string?)sizes[GpuT4]!["memory"]);
        Assert.Equal(24, (int?)sizes[GpuA100]!["cpu"]);
        Assert.Equal("220Gi", (string?)sizes[GpuA100]!["memory"]);
    }

    [Fact]
    public void FunctionApp_StartupProbeWaitsAtLeastTenMinutesForModelLoading()
    {
        var module = template.TemplateDeclaring("Microsoft.App/containerApps");
        var patience = CompiledTemplate.FunctionOutput(module, "startupPatience");
        const string startupFromPatience = ".startupPatience(), createObject('type', 'Startup'";

        var seconds = (int)patience["initialDelaySeconds"]! + ((int)patience["periodSeconds"]! * (int)patience["failureThreshold"]!);
        Assert.True(seconds >= 600, $"startup probe gives up after {seconds} s");
        Assert.Contains(startupFromPatience, (string?)CompiledTemplate.FunctionOutput(module, "healthFunctionProbes")[0], StringComparison.Ordinal);
        Assert.Contains(startupFromPatience, (string?)CompiledTemplate.FunctionOutput(module, "tcpStartupProbe")[0], StringComparison.Ordinal);
    }

    [Fact]
    public void FunctionApp_ProbesTheHealthFunctionOnceTheAppImageIsDeployed()
    {
        var module = template.TemplateDeclaring("Microsoft.App/containerApps");
        var app = Assert.Single(template.ResourcesOfType("Microsoft.App/containerApps"));
        var container = app["properties"]!["template"]!["containers"]!.AsArray().Single()!;
        var httpProbes = CompiledTemplate.FunctionOutput(module, "healthFunctionProbes").AsArray();

        // The placeholder image (before the first azd deploy) has no health function: TCP until then.
        Assert.Equal(
            "[if(empty(parameters('imageName')), __bicep.tcpStartupProbe(variables('httpPort')), __bicep.healthFunctionProbes(variables('healthPath'), variables('httpPort')))]",
            (string?)container["probes"]);
        Assert.Equal("/api/health", (string?)module["variables"]!["healthPath"]);
        Assert.Contains("'httpGet', createObject('path', parameters('path')", (string?)httpProbes[0], StringComparison.Ordinal);
        Assert.Equal(["Liveness", "Readiness"], httpProbes.Skip(1).Select(p => (string)p!["type"]!).Order());
        Assert.All(httpProbes.Skip(1), p => Assert.Equal("[parameters('path')]", (string?)p!["httpGet"]!["path"]));
    }

    [Fact]
    public void FunctionApp_HostStorageSettingsAreIdentityBased()
    {
        var module = template.TemplateDeclaring("Microsoft.App/containerApps");
        var settings = CompiledTemplate.Objects(module["variables"])
            .Where(o => o["name"] is JsonValue && o["value"] is JsonValue)
            .ToDictionary(o => (string)o["name"]!, o => (string)o["value"]!);

        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);
        Assert.Equal("[parameters('identityClientId')]", settings["AzureWebJobsStorage__clientId"]);
        Assert.Equal("[parameters('blobEndpoint')]", settings["AzureWebJobsStorage__blobServiceUri"]);
        Assert.Equal("[parameters('queueEndpoint')]", settings["AzureWebJobsStorage__queueServiceUri"]);
        Assert.Equal("[parameters('tableEndpoint')]", settings["AzureWebJobsStorage__tableServiceUri"]);
        Assert.Equal("[format('ClientId={0};Authorization=AAD', parameters('identityClientId'))]", settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]);
        Assert.DoesNotContain("AzureWebJobsStorage", settings.Keys);
    }

    [Theory]
    [InlineData("Flux__ModelPath")]
    [InlineData("Flux__Inference__ExecutionProvider")]
    [InlineData("Flux__Inference__DeviceId")]
    [InlineData("Flux__MaxParallelImages")]
    [InlineData("Flux__Inference__MemoryMode")]
    [InlineData("Flux__Inference__TextEncodersOnCpu")]
    [InlineData("Flux__EventGridTopicEndpoint")] // from the configured topic's endpoint
    public void FunctionApp_SetsTheAppsFluxOption(string setting)
    {
        var module = template.TemplateDeclaring("Microsoft.App/containerApps");

        Assert.Contains($"'{setting}'", CompiledTemplate.Text(module), StringComparison.Ordinal);
    }

    [Fact]
    public void MemoryMode_IsSequentialOnTheT4AndResidentOnTheA100()
    {
        var module = template.TemplateDeclaring("Microsoft.App/containerApps");

        Assert.Equal("[if(equals(parameters('gpuProfileType'), 'Consumption-GPU-NC8as-T4'), 'sequential', 'resident')]", (string?)module["variables"]!["memoryMode"]);
    }

    [Fact]
    public void TextEncoders_RunOnTheCpuOnTheT4Only()
    {
        var module = template.TemplateDeclaring("Microsoft.App/containerApps");

        Assert.Equal("[equals(parameters('gpuProfileType'), 'Consumption-GPU-NC8as-T4')]", (string?)module["variables"]!["textEncodersOnCpu"]);
        Assert.Contains("'Flux__Inference__TextEncodersOnCpu'", CompiledTemplate.Text(module), StringComparison.Ordinal);
    }

    [Fact]
    public void ModelFiles_ComeFromBlobOrNfsMountedAtModels()
    {
        var source = template.Root["parameters"]!["modelSource"]!;
        var module = template.TemplateDeclaring("Microsoft.App/containerApps");
        var volume = (string)module["variables"]!["modelVolumes"]!;

        Assert.Equal(["blob", "nfs"], AllowedValues(source).Order());
        Assert.Equal("blob", (string?)source["defaultValue"]);
        Assert.Contains("'NfsAzureFile'", volume, StringComparison.Ordinal);
        Assert.Contains("'EmptyDir'", volume, StringComparison.Ordinal);
        Assert.Equal("/models", (string?)module["variables"]!["modelRoot"]);
        Assert.Equal(string.Empty, (string?)template.Root["parameters"]!["modelName"]!["defaultValue"]); // built-in model first
    }

    [Fact]
    public void ParametersFile_SuppliesEveryRequiredParameterAndNoUnknownOne()
    {
        var file = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Infra, "main.parameters.json")))!;
        var supplied = file["parameters"]!.AsObject().Select(p => p.Key).ToHashSet();
        var declared = template.Root["parameters"]!.AsObject();
        var required = declared.Where(p => p.Value!["defaultValue"] is null).Select(p => p.Key);

        Assert.Subset(declared.Select(p => p.Key).ToHashSet(), supplied);
        Assert.Subset(supplied, required.ToHashSet());
    }

    private static IEnumerable<string> AllowedValues(JsonNode parameter) =>
        parameter["allowedValues"]!.AsArray().Select(v => (string)v!);
}
