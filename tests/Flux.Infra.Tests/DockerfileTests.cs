using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Flux.Infra.Tests;

/// <summary>
/// infra/Dockerfile, checked statically (there is no Docker engine here): it builds and publishes
/// src/Flux.Functions on the matching Functions base image and ships every CUDA 13 / cuDNN 9
/// library ONNX Runtime 1.32's CUDA provider loads, and no model files.
/// </summary>
public sealed partial class DockerfileTests
{
    private static readonly string Dockerfile = File.ReadAllText(Path.Combine(RepoPaths.Infra, "Dockerfile"));

    /// <summary>The GPU driver library, injected by the GPU host at run time, never shipped in an image.</summary>
    private const string DriverLibrary = "libcuda.so.1";

    [Fact]
    public void ShippedLibraries_IncludeEveryCudaLibraryTheOnnxRuntimeCudaProviderLinks()
    {
        var needed = ElfDependencies.Needed(RepoPaths.OnnxRuntimeCudaProvider);
        var cudaLibraries = needed.Where(IsCudaLibrary).Where(n => n != DriverLibrary).ToList();

        Assert.Contains(DriverLibrary, needed);
        Assert.Contains("libcublasLt.so.13", cudaLibraries); // the provider really is a CUDA 13 build
        Assert.Subset(ShippedLibraries(), cudaLibraries.ToHashSet());
    }

    [Theory]
    [InlineData("libcudart.so.13")]
    [InlineData("libcublas.so.13")]
    [InlineData("libcublasLt.so.13")]
    [InlineData("libcurand.so.10")]
    [InlineData("libcufft.so.12")]    // opened with dlopen for FFT operators
    [InlineData("libcudnn.so.9")]     // opened with dlopen; loads the sub-libraries below
    [InlineData("libcudnn_graph.so.9")]
    [InlineData("libcudnn_engines_precompiled.so.9")]
    [InlineData("libcudnn_engines_runtime_compiled.so.9")]
    [InlineData("libcudnn_heuristic.so.9")]
    [InlineData("libcudnn_ops.so.9")]
    [InlineData("libcudnn_cnn.so.9")]
    [InlineData("libcudnn_adv.so.9")]
    [InlineData("libnvrtc.so.13")]
    public void ShippedLibraries_IncludeCuda13AndCudnn9Library(string library)
    {
        Assert.Contains(library, ShippedLibraries());
    }

    [Fact]
    public void ShippedLibraries_NeverIncludeTheDriver()
    {
        Assert.DoesNotContain(DriverLibrary, ShippedLibraries());
        Assert.Contains("NVIDIA_VISIBLE_DEVICES=all", Dockerfile, StringComparison.Ordinal);
    }

    [Fact]
    public void BuildStage_PublishesTheFunctionsProjectForLinux()
    {
        var publish = Assert.Single(Instructions("RUN"), r => r.Contains("dotnet publish", StringComparison.Ordinal));

        Assert.Contains("src/Flux.Functions/Flux.Functions.csproj", publish, StringComparison.Ordinal);
        Assert.Contains("--runtime linux-x64", publish, StringComparison.Ordinal);
        Assert.True(File.Exists(RepoPaths.InRepo("src/Flux.Functions/Flux.Functions.csproj")));
        Assert.Contains(Instructions("COPY"), c => c.StartsWith("--from=build /app/publish/ /home/site/wwwroot/", StringComparison.Ordinal));
    }

    [Fact]
    public void Stages_BuildOnTheSdkAndRunOnTheFunctionsImageOfTheTargetFramework()
    {
        var targetFramework = XDocument.Load(RepoPaths.InRepo("Directory.Build.props")).Descendants("TargetFramework").Single().Value;
        var dotnetVersion = targetFramework["net".Length..]; // net10.0 -> 10.0
        var arguments = Instructions("ARG").Select(a => a.Split('=', 2)).Where(a => a.Length == 2).ToDictionary(a => a[0], a => a[1]);
        var stages = Instructions("FROM").ToList();

        Assert.Equal($"mcr.microsoft.com/dotnet/sdk:{dotnetVersion}", arguments["SDK_IMAGE"]);
        Assert.Equal($"mcr.microsoft.com/azure-functions/dotnet-isolated:4-dotnet-isolated{dotnetVersion}", arguments["FUNCTIONS_IMAGE"]);
        Assert.StartsWith("nvidia/cuda:13.", arguments["CUDA_IMAGE"], StringComparison.Ordinal);
        Assert.Contains("-cudnn-runtime-", arguments["CUDA_IMAGE"], StringComparison.Ordinal);
        Assert.Equal(["${SDK_IMAGE} AS build", "${CUDA_IMAGE} AS cuda", "${FUNCTIONS_IMAGE} AS runtime"], stages);
    }

    [Fact]
    public void BuildContext_SendsEveryFileTheBuildCopiesAndNoModels()
    {
        var ignore = File.ReadAllLines(RepoPaths.InRepo(".dockerignore")).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        var copied = Instructions("COPY").Where(c => !c.StartsWith("--from", StringComparison.Ordinal))
            .SelectMany(c => c.Split(' ', StringSplitOptions.RemoveEmptyEntries)[..^1]).ToList();

        Assert.Equal("*", ignore[0]); // everything is excluded unless re-included
        Assert.All(copied, source =>
        {
            Assert.True(File.Exists(RepoPaths.InRepo(source)) || Directory.Exists(RepoPaths.InRepo(source)), $"{source} does not exist");
            Assert.Contains($"!{source}", ignore);
        });
        Assert.DoesNotContain(".onnx", Dockerfile, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(ignore, l => l.Contains("model", StringComparison.OrdinalIgnoreCase) && l.StartsWith('!'));
    }

    [Fact]
    public void BuildContext_HoldsEveryFileTheFunctionsProjectAndItsReferencesInclude()
    {
        var copiedSources = Instructions("COPY").Where(c => !c.StartsWith("--from", StringComparison.Ordinal))
            .SelectMany(c => c.Split(' ', StringSplitOptions.RemoveEmptyEntries)[..^1])
            .Select(source => RepoPaths.InRepo(source).TrimEnd('/'))
            .ToList();
        var projects = new Queue<string>([RepoPaths.InRepo("src/Flux.Functions/Flux.Functions.csproj")]);
        var seen = new HashSet<string>();

        while (projects.TryDequeue(out var project))
        {
            if (!seen.Add(project))
            {
                continue;
            }

            foreach (var (item, path) in ItemPaths(project))
            {
                Assert.True(
                    copiedSources.Any(source => path == source || path.StartsWith(source + "/", StringComparison.Ordinal)),
                    $"{Path.GetFileName(project)} includes {path}, which infra/Dockerfile does not copy into the build");
                if (item == "ProjectReference")
                {
                    projects.Enqueue(path);
                }
            }
        }

        Assert.Contains(RepoPaths.InRepo("src/Flux.Inference/Flux.Inference.csproj"), seen);

        // Files MSBuild and NuGet pick up implicitly from the repository root (global.json is left
        // out on purpose: the SDK image's own .NET 10 SDK builds the app).
        var implicitInputs = Directory.EnumerateFiles(RepoPaths.Root)
            .Where(f => Path.GetFileName(f).ToLowerInvariant() is "directory.build.props" or "directory.build.targets"
                or "directory.packages.props" or "nuget.config" or ".editorconfig" or ".globalconfig");
        Assert.All(implicitInputs, file => Assert.Contains(file, copiedSources));
    }

    /// <summary>Paths of a project's items (Include/Update), up to the first wildcard, resolved.</summary>
    private static IEnumerable<(string Item, string Path)> ItemPaths(string project)
    {
        var directory = Path.GetDirectoryName(project)!;
        foreach (var element in XDocument.Load(project).Descendants().Where(e => e.Parent?.Name == "ItemGroup"))
        {
            var value = (string?)element.Attribute("Include") ?? (string?)element.Attribute("Update");
            foreach (var entry in (value ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var literal = entry.Replace("$(RepoRoot)", RepoPaths.Root + "/", StringComparison.Ordinal)
                    .Replace("$(MSBuildThisFileDirectory)", directory + "/", StringComparison.Ordinal)
                    .Replace('\\', '/');
                if (element.Name == "PackageReference" || element.Name == "Using" || literal.Contains("$(", StringComparison.Ordinal))
                {
                    continue;
                }

                var wildcard = literal.IndexOfAny(['*', '?']);
                var fixedPart = wildcard < 0 ? literal : literal[..wildcard];
                yield return (element.Name.LocalName, Path.GetFullPath(Path.Combine(directory, fixedPart)).TrimEnd('/'));
            }
        }
    }

    private static bool IsCudaLibrary(string name) => name.StartsWith("libcu", StringComparison.Ordinal) || name.StartsWith("libnv", StringComparison.Ordinal);

    /// <summary>Library names in the `for lib in ...; do` list of the cuda stage's RUN instruction.</summary>
    private static HashSet<string> ShippedLibraries()
    {
        var list = LibraryList().Match(Dockerfile);
        Assert.True(list.Success, "the cuda stage has no `for lib in ...; do` list");
        return list.Groups["libs"].Value.Split([' ', '\\', '\n'], StringSplitOptions.RemoveEmptyEntries).ToHashSet();
    }

    /// <summary>Instructions of one kind with line continuations joined and comments removed.</summary>
    private static IEnumerable<string> Instructions(string keyword)
    {
        var logicalLines = Regex.Replace(Dockerfile, @"\\\n(\s*#[^\n]*\n)*", " ").Split('\n');
        return logicalLines.Where(l => l.StartsWith(keyword + " ", StringComparison.Ordinal))
            .Select(l => Regex.Replace(l[(keyword.Length + 1)..], @"\s+", " ").Trim());
    }

    [GeneratedRegex(@"for lib in(?<libs>[^;]+);\s*\\?\s*do")]
    private static partial Regex LibraryList();
}
