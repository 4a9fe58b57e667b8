using System.Text.Json;
using Flux.Inference.Sessions;

namespace Flux.Cli.Tests;

/// <summary>`--help` on every command and branch, `--version`, and the one JSON casing of every command.</summary>
public sealed class HelpAndVersionTests
{
    [Fact]
    public void Help_OfEveryCommandAndBranch_ExitsZeroWithUsage_AndTheRootListsEachWithADescription()
    {
        var pending = new Queue<string[]>([[]]);
        var visited = new List<string>();
        while (pending.TryDequeue(out var path))
        {
            var (exitCode, output, error) = CliRunner.Run([.. path, "--help"]);
            string name = string.Join(' ', ["flux", .. path]);
            Assert.True(exitCode == 0, $"{name} --help exited {exitCode}: {error}");
            Assert.Contains("USAGE:", output, StringComparison.Ordinal);
            visited.Add(name);
            foreach (var (command, description) in Commands(output))
            {
                Assert.False(string.IsNullOrWhiteSpace(description), $"{name} lists '{command}' without a description");
                pending.Enqueue([.. path, command]);
            }
        }

        // The listings lead to every command (commands added later are visited too, and so are checked).
        Assert.Subset(visited.ToHashSet(), new HashSet<string>(
            ["flux", "flux bench", "flux generate", "flux model", "flux model create", "flux model inspect", "flux schedule", "flux tokenize"]));
    }

    [Fact]
    public void Version_PrintsTheToolVersionAndTheOnnxRuntimeBuild()
    {
        var (exitCode, output, _) = CliRunner.Run("--version");

        Assert.Equal(0, exitCode);
        Assert.Equal($"0.1.0 (ONNX Runtime {OnnxRuntimeBuild.Version}, {OnnxRuntimeBuild.Flavor} build)", output.Trim());
        Assert.Matches(@"^\d+\.\d+\.\d+$", OnnxRuntimeBuild.Version);
        // This test project links the tool's default flavour.
        Assert.Equal(OnnxRuntimeBuild.CpuFlavor, OnnxRuntimeBuild.Flavor);
    }

    [Fact]
    public void BenchJson_UsesCamelCaseNamesThroughout()
    {
        var (exitCode, output, error) = CliRunner.Run("bench", "--model", "tiny", "--provider", "cpu", "--width", "64", "--height", "64",
            "--steps", "2", "--runs", "1", "--warmup", "1", "--json");

        Assert.True(exitCode == 0, error);
        using var json = JsonDocument.Parse(output);
        var names = Names(json.RootElement).ToList();
        Assert.Contains("allocatedBytesPerStep", names);
        Assert.All(names, name => Assert.True(char.IsLower(name[0]), $"'{name}' is not camelCase"));
    }

    /// <summary>The (name, description) rows under "COMMANDS:" in a help text.</summary>
    private static IEnumerable<(string Command, string Description)> Commands(string help)
    {
        var lines = help.Split('\n').Select(l => l.TrimEnd()).ToList();
        int start = lines.FindIndex(l => l.Trim() == "COMMANDS:");
        if (start < 0)
        {
            yield break;
        }

        foreach (string line in lines.Skip(start + 1).TakeWhile(l => l.Length > 0))
        {
            string[] parts = line.Trim().Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
            yield return (parts[0], parts.Length > 1 ? parts[1].Trim() : "");
        }
    }

    private static IEnumerable<string> Names(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => Names(p.Value).Prepend(p.Name)),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(Names),
        _ => [],
    };
}
