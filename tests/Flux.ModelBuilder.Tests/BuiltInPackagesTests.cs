namespace Flux.ModelBuilder.Tests;

public sealed class BuiltInPackagesTests
{
    [Fact]
    public void EnsureBuilt_FromManyThreadsAtOnce_BuildsOneCompletePackage()
    {
        using var cache = new TempDirectory();
        var paths = new string[4];
        Parallel.For(0, paths.Length, new ParallelOptions { MaxDegreeOfParallelism = paths.Length }, i => paths[i] = BuiltInPackages.EnsureBuilt("tiny", cache.Path));

        Assert.Single(paths.Distinct());
        Assert.True(File.Exists(Path.Combine(paths[0], "transformer/model.onnx")));
        Assert.True(File.Exists(Path.Combine(paths[0], "flux.json")));
        var leftovers = Directory.GetFileSystemEntries(Path.GetDirectoryName(paths[0])!).Where(e => e != paths[0]);
        Assert.Empty(leftovers);
    }

    [Fact]
    public void EnsureBuilt_Twice_ReusesTheCachedPackage()
    {
        using var cache = new TempDirectory();
        var first = BuiltInPackages.EnsureBuilt("tiny-dev", cache.Path);
        var marker = Path.Combine(first, "marker");
        File.WriteAllText(marker, "still here");

        var second = BuiltInPackages.EnsureBuilt("tiny-dev", cache.Path);

        Assert.Equal(first, second);
        Assert.True(File.Exists(marker), "the cached package was rebuilt");
    }

    [Fact]
    public void EnsureBuilt_WithAnUnknownName_ListsTheBuiltInNames()
    {
        using var cache = new TempDirectory();
        var error = Assert.Throws<ArgumentException>(() => BuiltInPackages.EnsureBuilt("huge", cache.Path));
        Assert.Contains("tiny, tiny-dev, reference", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(cache.Path));
    }
}
