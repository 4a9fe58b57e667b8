using System.Diagnostics;
using Flux.Tests.Shared;

namespace Flux.Cli.Tests;

/// <summary>
/// The `flux` .NET tool as a user installs it: `dotnet pack` of the already-built CLI (once per test run, in the fixture),
/// `dotnet tool install` into a temporary tool path from that folder alone (a nuget.config with only the local source
/// and an empty package cache, so nothing comes from the network or a stale cache), then the installed command.
/// </summary>
public sealed class ToolPackageTests(ToolPackageTests.InstalledTool tool) : IClassFixture<ToolPackageTests.InstalledTool>
{
    [Fact]
    public void InstalledTool_PrintsItsVersionAndOnnxRuntimeBuild()
    {
        var (exitCode, output, error) = tool.Run("--version");

        Assert.True(exitCode == 0, error);
        Assert.Equal(CliRunner.Run("--version").Output.Trim(), output.Trim());
    }

    [Fact]
    public void InstalledTool_RunsTheQuickStart()
    {
        string image = Path.Combine(tool.Folder, "out.png");

        var (exitCode, output, error) = tool.Run("generate", "a red circle on a blue background", "-o", image);

        Assert.True(exitCode == 0, error);
        Assert.Contains("model reference, provider CPU", output, StringComparison.Ordinal);
        string expected = Path.Combine(tool.Folder, "in-process.png");
        Assert.Equal(0, CliRunner.Run("generate", "a red circle on a blue background", "-o", expected).ExitCode);
        Assert.Equal(File.ReadAllBytes(expected), File.ReadAllBytes(image));
    }

    [Fact]
    public void Package_ShipsTheLicenceAndTheThirdPartyNotices()
    {
        using var package = System.IO.Compression.ZipFile.OpenRead(Directory.GetFiles(tool.PackageFolder, "Flux.Cli.*.nupkg").Single());

        Assert.Contains(package.Entries, e => e.FullName == "LICENSE");
        Assert.Contains(package.Entries, e => e.FullName == "THIRD-PARTY-NOTICES");
        Assert.DoesNotContain(package.Entries, e => e.FullName.Contains("runtimes/android/", StringComparison.Ordinal));
        Assert.Contains(package.Entries, e => e.FullName.EndsWith("runtimes/osx-arm64/native/libonnxruntime.dylib", StringComparison.Ordinal));
    }

    [Fact]
    public void ThirdPartyNotices_NameEveryVendoredFile_AndTheLicenceIsMit()
    {
        string root = TokenizerTestFiles.RepoRoot;
        string notices = File.ReadAllText(Path.Combine(root, "THIRD-PARTY-NOTICES"));
        // Vendored data is documented by a SOURCE.md beside it; each such folder must have its notice.
        var vendored = new[] { "src", "tests" }.SelectMany(d => Directory.EnumerateFiles(Path.Combine(root, d), "SOURCE.md", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(root, Path.GetDirectoryName(f)!).Replace('\\', '/'))
            .ToList();

        Assert.NotEmpty(vendored);
        Assert.All(vendored, folder => Assert.Contains(folder + "/", notices, StringComparison.Ordinal));
        Assert.Contains("Copyright (c) 2021 OpenAI", notices, StringComparison.Ordinal);
        Assert.StartsWith("MIT License", File.ReadAllText(Path.Combine(root, "LICENSE")), StringComparison.Ordinal);
    }

    /// <summary>Packs and installs the tool once for the class.</summary>
    public sealed class InstalledTool : IDisposable
    {
#if DEBUG
        private const string Configuration = "Debug";
#else
        private const string Configuration = "Release";
#endif
        private readonly TemporaryFolder _folder = new();

        public InstalledTool()
        {
            string packages = PackageFolder;
            string project = Path.Combine(TokenizerTestFiles.RepoRoot, "src", "Flux.Cli", "Flux.Cli.csproj");
            Check(Dotnet(["pack", project, "--no-build", "--no-restore", "-c", Configuration, "-o", packages]), "dotnet pack");
            File.WriteAllText(Path.Combine(Folder, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <clear />
                    <add key="local" value="{packages}" />
                  </packageSources>
                </configuration>
                """);
            Check(Dotnet(["tool", "install", "Flux.Cli", "--tool-path", ToolPath, "--configfile", Path.Combine(Folder, "nuget.config")],
                ("NUGET_PACKAGES", Path.Combine(Folder, "nuget-cache"))), "dotnet tool install");
        }

        public string Folder => _folder.Path;

        public string PackageFolder => Path.Combine(Folder, "packages");

        private string ToolPath => Path.Combine(Folder, "tools");

        public (int ExitCode, string Output, string Error) Run(params string[] arguments) =>
            Execute(Path.Combine(ToolPath, OperatingSystem.IsWindows() ? "flux.exe" : "flux"), arguments);

        public void Dispose() => _folder.Dispose();

        private static (int, string, string) Dotnet(string[] arguments, params (string Name, string Value)[] environment) =>
            Execute("dotnet", arguments, environment);

        private static (int ExitCode, string Output, string Error) Execute(string program, string[] arguments, params (string Name, string Value)[] environment)
        {
            var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (string argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            // The test host's MSBuild and VSTest settings would steer the child build; it runs as a user's shell would.
            foreach (string name in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
            {
                start.Environment.Remove(name);
            }

            foreach (var (name, value) in environment)
            {
                start.Environment[name] = value;
            }

            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEndAsync();
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, output, error.Result);
        }

        private static void Check((int ExitCode, string Output, string Error) result, string what) =>
            Assert.True(result.ExitCode == 0, $"{what} exited {result.ExitCode}: {result.Output} {result.Error}");
    }
}
