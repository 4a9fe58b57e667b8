using Flux.Core;
using Flux.Inference.Packages;
using Flux.Inference.Sessions;
using Flux.Inference.Stages;
using Flux.ModelBuilder.Packages;
using Flux.ModelBuilder.Reference;
using Flux.Tests.Shared;
using Google.Protobuf;
using Onnx;

namespace Flux.Inference.Tests.Pipeline;

/// <summary>The VaeEncoding stage and the vae_encoder IO contract, on the built-in packages and optimum-shaped encoders.</summary>
[Collection(BuiltPackagesCollection.Name)]
public class VaeEncodingTests(BuiltPackages packages)
{
    private static ImageSize Size => ReferencePackage.Size;

    [Theory]
    [InlineData(0)]
    [InlineData(13)]
    public void ReferenceEncoder_OfASetImage_GivesTheLatentTheVelocityFieldUses(int index)
    {
        var image = ShapeDataset.Images[index];
        var package = packages.Reference.Package;

        var latent = Encode(package.Io.VaeEncoder!, Bytes(ShapeDataset.Render(image)), package.VaeScale, package.VaeShift);

        // x0_k of the transformer graph: pack((E(image) - 0.1159) * 0.3611), from the builder's least-squares encoder.
        AssertClose(ReferencePackage.PackedLatents([image]), latent, 1e-4f, $"'{image.Caption}'");
    }

    [Fact]
    public void ReferenceRoundTrip_DecodeEncodeDecode_ReturnsTheSameLatentAndPixels()
    {
        var package = packages.Reference.Package;
        var random = new Random(6);
        // (1, L, 64) near the model-space image of a zero decoder input, so every pixel stays inside (-1, 1) (no clip).
        float zero = -package.VaeShift * package.VaeScale;
        float[] z = [.. Enumerable.Range(0, Size.PackedLength).Select(_ => zero + (float)((random.NextDouble() * 0.04) - 0.02))];

        byte[] rgb = Decode(package, z);
        Assert.DoesNotContain(rgb, b => b is 0 or 255);
        var again = Encode(package.Io.VaeEncoder!, rgb, package.VaeScale, package.VaeShift);
        byte[] rgbAgain = Decode(package, again);

        // Pixels are truncated to bytes (up to 1/127.5 each), so the latent comes back within that quantization (measured 0.0027).
        AssertClose(z, again, 0.004f, "encode(decode(z))");
        int worst = rgb.Zip(rgbAgain, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst <= 1, $"decode(encode(decode(z))) differs from decode(z) by {worst} levels");
    }

    [Fact]
    public void OptimumEncoder_LatentParameters_GivesTheSameMeanAsLatentSample()
    {
        var package = packages.Reference.Package;
        string file = Path.Combine(Directory.CreateTempSubdirectory("flux-optimum-encoder-").FullName, "model.onnx");
        File.WriteAllBytes(file, WithMeanAndLogVariance(File.ReadAllBytes(package.Files.VaeEncoderModel!)).ToByteArray());
        using var lease = SessionCache.Shared.Acquire(file, BuiltPackages.Cpu);
        var io = IoValidator.Validate(lease.Session, IoContract.VaeEncoder, new Dictionary<string, string>(), new DimensionTable());
        Assert.False(io.Has(IoContract.Latent));
        Assert.Equal("latent_parameters", io[IoContract.LatentParameters].Name);
        byte[] rgb = Bytes(ShapeDataset.Render(ShapeDataset.Images[5]));

        var fromParameters = EncodeWith(lease.Session, io, rgb, package);
        var fromMean = Encode(package.Io.VaeEncoder!, rgb, package.VaeScale, package.VaeShift);

        Assert.Equal(fromMean, fromParameters);
    }

    [Fact]
    public void EncoderWithNeitherMeanNorParameters_IsRefusedNamingBoth()
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(packages.Reference.Package.Files.VaeEncoderModel!));
        model.Graph.Node.Single(n => n.Output.Contains("latent_sample")).Output[0] = "posterior";
        model.Graph.Output[0].Name = "posterior";
        string file = Path.Combine(Directory.CreateTempSubdirectory("flux-bad-encoder-").FullName, "model.onnx");
        File.WriteAllBytes(file, model.ToByteArray());
        using var lease = SessionCache.Shared.Acquire(file, BuiltPackages.Cpu);

        var error = Assert.Throws<FluxModelException>(() => IoValidator.Validate(lease.Session, IoContract.VaeEncoder, new Dictionary<string, string>(), new DimensionTable()));

        Assert.Contains("'latent_sample' (B, 16, h, w) or 'latent_parameters' (B, 32, h, w)", error.Message, StringComparison.Ordinal);
        Assert.Contains("posterior", error.Message, StringComparison.Ordinal);
        Assert.Contains(file, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BuiltInPackages_HaveAValidatedEncoder_APackageWithoutOneSaysSo()
    {
        Assert.Equal("latent_sample", packages.Tiny.Package.Io.VaeEncoder![IoContract.Latent].Name);
        Assert.Equal("sample", packages.Reference.Package.Io[ModelComponent.VaeEncoder][IoContract.Image].Name);
        string copy = PackageCopy.Of(BuiltPackages.Directory("reference"));
        Directory.Delete(Path.Combine(copy, "vae_encoder"), recursive: true);

        var package = ModelPackage.Open(copy, BuiltPackages.Cpu, new SessionCache());

        Assert.Null(package.Files.VaeEncoderModel);
        Assert.Null(package.Io.VaeEncoder);
        var error = Assert.Throws<FluxModelException>(() => package.Io[ModelComponent.VaeEncoder]);
        Assert.Contains("vae_encoder/model.onnx", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TinyEncoder_RunsThroughTheStage_ToAPackedLatent()
    {
        var package = packages.Tiny.Package;
        var size = ImageSize.Create(64, 32);
        var rgb = new byte[size.Width * size.Height * 3];
        new Random(8).NextBytes(rgb);
        using var lease = SessionCache.Shared.Acquire(package.Io.VaeEncoder!.ModelFile, BuiltPackages.Cpu);

        var latent = VaeEncoding.Encode(lease.Session, package.Io.VaeEncoder, rgb, size, package.VaeScale, package.VaeShift, CancellationToken.None);

        Assert.Equal(size.PackedLength, latent.Length);
        Assert.All(latent, v => Assert.True(float.IsFinite(v)));
    }

    /// <summary>optimum's layout: latent_parameters = concat(mean, log-variance) on the channels, (B, 32, h, w).</summary>
    private static ModelProto WithMeanAndLogVariance(byte[] encoder)
    {
        var model = ModelProto.Parser.ParseFrom(encoder);
        var graph = model.Graph;
        graph.Node.Single(n => n.Output.Contains("latent_sample")).Output[0] = "mean";
        graph.Initializer.Add(new TensorProto { Name = "log_variance_offset", DataType = (int)TensorProto.Types.DataType.Float, FloatData = { -4f } });
        graph.Node.Add(new NodeProto { OpType = "Add", Name = "log_variance", Input = { "mean", "log_variance_offset" }, Output = { "logvar" } });
        graph.Node.Add(new NodeProto
        {
            OpType = "Concat",
            Name = "parameters",
            Input = { "mean", "logvar" },
            Output = { "latent_parameters" },
            Attribute = { new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 1 } },
        });
        var output = graph.Output[0];
        output.Name = "latent_parameters";
        output.Type.TensorType.Shape.Dim[1].DimValue = 32;
        return model;
    }

    private static float[] Encode(ComponentIo io, byte[] rgb, float scale, float shift)
    {
        using var lease = SessionCache.Shared.Acquire(io.ModelFile, BuiltPackages.Cpu);
        return VaeEncoding.Encode(lease.Session, io, rgb, Size, scale, shift, CancellationToken.None);
    }

    private static float[] EncodeWith(ModelSession session, ComponentIo io, byte[] rgb, ModelPackage package) =>
        VaeEncoding.Encode(session, io, rgb, Size, package.VaeScale, package.VaeShift, CancellationToken.None);

    private static byte[] Decode(ModelPackage package, float[] packed)
    {
        using var lease = SessionCache.Shared.Acquire(package.Io.Vae.ModelFile, BuiltPackages.Cpu);
        return VaeDecoding.Decode(lease.Session, package.Io.Vae, packed, Size, 1, package.VaeScale, package.VaeShift, n => new byte[n], CancellationToken.None)[0];
    }

    /// <summary>(3, H, W) values in [-1, 1] that are exact byte levels -> (H, W, 3) bytes.</summary>
    private static byte[] Bytes(float[] planes)
    {
        int plane = Size.Width * Size.Height;
        var rgb = new byte[plane * 3];
        for (int p = 0; p < plane; p++)
        {
            for (int c = 0; c < 3; c++)
            {
                rgb[(p * 3) + c] = (byte)Math.Round((planes[(c * plane) + p] + 1) * 127.5);
            }
        }

        return rgb;
    }

    private static void AssertClose(float[] expected, float[] actual, float tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        float worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(worst <= tolerance, $"{what}: largest difference {worst} exceeds {tolerance}");
    }
}
