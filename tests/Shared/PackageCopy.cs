namespace Flux.Tests.Shared;

/// <summary>Copies of a built model package, for tests that damage or change one without touching the shared build.</summary>
internal static class PackageCopy
{
    /// <summary>Copies every file of <paramref name="package"/> (keeping its folders) into a new temporary folder and returns that folder.</summary>
    public static string Of(string package)
    {
        string copy = Directory.CreateTempSubdirectory("flux-package-").FullName;
        foreach (string file in Directory.GetFiles(package, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(copy, Path.GetRelativePath(package, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return copy;
    }
}
