using YamlDotNet.RepresentationModel;

namespace Flux.Infra.Tests;

/// <summary>azure.yaml describes the service `azd up` deploys, with paths that exist.</summary>
public sealed class AzureYamlTests
{
    private static readonly YamlMappingNode Root = Load();

    [Fact]
    public void Infra_PointsToMainBicep()
    {
        var infra = Map(Root, "infra");

        Assert.Equal("bicep", Scalar(infra, "provider"));
        Assert.True(File.Exists(Path.Combine(RepoPaths.InRepo(Scalar(infra, "path")), Scalar(infra, "module") + ".bicep")));
    }

    [Fact]
    public void ApiService_IsTheFunctionsProjectOnContainerApps()
    {
        var api = Map(Map(Root, "services"), "api");
        var project = RepoPaths.InRepo(Scalar(api, "project"));

        Assert.Equal("dotnet", Scalar(api, "language"));
        Assert.Equal("containerapp", Scalar(api, "host"));
        Assert.True(File.Exists(Path.Combine(project, "Flux.Functions.csproj")), project);
    }

    [Fact]
    public void ApiService_DockerPathsResolveFromTheProjectToTheRepositoryDockerfile()
    {
        var api = Map(Map(Root, "services"), "api");
        var project = RepoPaths.InRepo(Scalar(api, "project"));
        var docker = Map(api, "docker");

        Assert.Equal(Path.Combine(RepoPaths.Infra, "Dockerfile"), Path.GetFullPath(Path.Combine(project, Scalar(docker, "path"))));
        Assert.Equal(RepoPaths.Root.TrimEnd('/'), Path.GetFullPath(Path.Combine(project, Scalar(docker, "context"))).TrimEnd('/'));
    }

    private static YamlMappingNode Load()
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(RepoPaths.InRepo("azure.yaml"));
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static YamlMappingNode Map(YamlMappingNode node, string key) => (YamlMappingNode)node.Children[new YamlScalarNode(key)];

    private static string Scalar(YamlMappingNode node, string key) => ((YamlScalarNode)node.Children[new YamlScalarNode(key)]).Value!;
}
