using Flux.Tests.Shared;
using Flux.ModelBuilder.Import;
using Flux.ModelBuilder.Packages;

namespace Flux.ModelBuilder.Tests.Import;

public sealed class ModelImporterTests
{
    [Fact]
    public void Import_WritesTheLayoutAndManifest_AndTheSameInputsGiveTheSameBytes()
    {
        using var dir = new TempDirectory();
        var source = new ImportSource(dir.Path, new SmallFlux(Dev: true));
        var first = ModelImporter.Import(new ImportRequest { Source = source.Root, Output = dir.Sub("a"), T5MaxLength = 8 });
        ModelImporter.Import(new ImportRequest { Source = source.Root, Output = dir.Sub("b"), T5MaxLength = 8 });

        Assert.Equal(("dev", 8, 50, "dynamic"), (first.Variant, first.T5MaxLength, first.DefaultSteps, first.Shift));
        Assert.Contains(first.Sources, s => s.File.StartsWith("transformer/diffusion_pytorch_model-00001-of-", StringComparison.Ordinal) && s.Sha256.Length == 64);
        Assert.Contains(first.Sources, s => s.File == "tokenizer_2/spiece.model");
        var a = PackageDirectory.Files(dir.Sub("a"));
        Assert.Equal(a, PackageDirectory.Files(dir.Sub("b")));
        Assert.Contains(a, f => f.Path == "transformer/model.onnx.data");
        foreach (var (path, _) in a)
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(dir.Sub("a"), path)), File.ReadAllBytes(Path.Combine(dir.Sub("b"), path)));
        }
    }

    [Fact]
    public void BadInput_LeavesNoPackageAndNoTemporaryFolder()
    {
        using var dir = new TempDirectory();
        var source = new ImportSource(dir.Path, new SmallFlux(Dev: false));
        File.WriteAllText(Path.Combine(source.Root, "transformer", "config.json"), FluxCheckpoints.DiffusersConfig(source.Sizes with { Heads = 4 }));

        var error = Assert.Throws<ImportException>(() => ModelImporter.Import(new ImportRequest { Source = source.Root, Output = dir.Sub("out") }));
        Assert.Contains("num_attention_heads 4", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.Sub("out")));
        Assert.Empty(Directory.GetDirectories(dir.Path, ".out.*"));
    }

    [Fact]
    public void ImportKilledHalfWay_LeavesATemporaryFolderThatTheNextRunRemoves()
    {
        using var dir = new TempDirectory();
        var source = new ImportSource(dir.Path, new SmallFlux(Dev: false));

        // What a killed run leaves: PackageDirectory's temporary sibling with part of a package, and no package.
        var stale = Directory.CreateDirectory(dir.Sub(".out.0123456789abcdef0123456789abcdef.tmp")).FullName;
        File.WriteAllBytes(Path.Combine(Directory.CreateDirectory(Path.Combine(stale, "transformer")).FullName, "model.onnx.data"), new byte[4096]);

        ModelImporter.Import(new ImportRequest { Source = source.Root, Output = dir.Sub("out"), T5MaxLength = 8 });

        Assert.False(Directory.Exists(stale));
        Assert.Empty(Directory.GetDirectories(dir.Path, ".out.*"));
        Assert.True(File.Exists(dir.Sub("out/flux.json")));
    }

    [Fact]
    public void ExistingOutput_IsKeptWithoutForce_AndReplacedWithIt()
    {
        using var dir = new TempDirectory();
        var source = new ImportSource(dir.Path, new SmallFlux(Dev: false));
        Directory.CreateDirectory(dir.Sub("out"));
        File.WriteAllText(dir.Sub("out/keep.txt"), "x");

        var error = Assert.Throws<ImportException>(() => ModelImporter.Import(new ImportRequest { Source = source.Root, Output = dir.Sub("out") }));
        Assert.Contains("--force", error.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(dir.Sub("out/keep.txt")));

        ModelImporter.Import(new ImportRequest { Source = source.Root, Output = dir.Sub("out"), Force = true, T5MaxLength = 8 });
        Assert.False(File.Exists(dir.Sub("out/keep.txt")));
        Assert.True(File.Exists(dir.Sub("out/transformer/model.onnx")));
    }
}
