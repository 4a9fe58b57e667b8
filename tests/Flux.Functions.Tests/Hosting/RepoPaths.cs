namespace Flux.Functions.Tests.Hosting;

/// <summary>Finds files of the repository from the test output folder.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>The Flux.Functions build output the test project copied next to itself.</summary>
    public static string FunctionsOutput(string file) => Path.Combine(AppContext.BaseDirectory, file);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Flux.Functions.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no Flux.Functions.sln above {AppContext.BaseDirectory}");
    }
}
