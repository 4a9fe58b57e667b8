using Flux.Core;
using Flux.Inference;
using Flux.Inference.Memory;
using Flux.Inference.Packages;
using Flux.Inference.Sessions;
using Flux.ModelBuilder;
using Flux.ModelBuilder.Tiny;
using Onnx;

namespace Flux.Cli.Tests;

/// <summary>The memory estimate on the built-in packages, and the refusal it drives in `flux generate`.</summary>
public sealed class MemoryEstimateTests
{
    private static readonly InferenceOptions Cpu = new() { ExecutionProvider = ExecutionProviderKind.Cpu };

    [Fact]
    public void Tiny_WeightsAreTheSumOfEveryInitializer_AndAttentionComesFromItsHeads()
    {
        var package = ModelPackage.Open(BuiltInPackages.EnsureBuilt("tiny"), Cpu);
        var model = PackageMemoryModel.Of(package);

        // Independent reading of the same files with OnnxSharp's generated ONNX types.
        long initializerBytes = package.Io.All.Sum(c => ModelProto.Parser.ParseFrom(File.ReadAllBytes(c.ModelFile)).Graph.Initializer
            .Sum(t => t.Dims.Aggregate(1L, (n, d) => n * d) * (t.DataType == (int)TensorProto.Types.DataType.Int64 ? 8 : 4)));
        Assert.Equal(initializerBytes, model.ResidentWeightBytes);
        var options = new TinyFluxOptions();
        Assert.Equal((options.HiddenSize, options.HeadCount), (model.Hidden, model.Heads));

        var size = new ImageSize(4096, 4096);
        long s = size.SequenceLength + package.T5MaxLength;   // 65,536 image tokens + T5 tokens
        var estimate = model.Estimate(size, 2, MemoryMode.Resident);
        // QK^T, scaled, softmax: (B, heads, S, S) fp32 each; one with the fused MultiHeadAttention operator.
        int tensors = ModelProto.Parser.ParseFrom(File.ReadAllBytes(package.Io.Transformer.ModelFile)).Graph.Node.Any(n => n.OpType == "MultiHeadAttention") ? 1 : 3;
        Assert.Equal(tensors, model.AttentionTensors);
        Assert.Equal(tensors * 2L * options.HeadCount * s * s * 4, estimate.AttentionBytes);
        Assert.Equal(initializerBytes, estimate.WeightBytes);
        Assert.True(estimate.PeakBytes > 60L << 30, $"{estimate}");   // at least the 69 GB tensor ONNX Runtime failed to allocate
    }

    [Fact]
    public void Reference_HasNoAttention_SoItsEstimateStaysSmall()
    {
        var package = ModelPackage.Open(BuiltInPackages.EnsureBuilt("reference"), Cpu);
        var model = PackageMemoryModel.Of(package);

        Assert.Equal(0, model.Heads);
        var estimate = model.Estimate(new ImageSize(package.FixedWidth ?? 256, package.FixedHeight ?? 256), 1, MemoryMode.Resident);
        Assert.Equal(0, estimate.AttentionBytes);
        Assert.True(estimate.PeakBytes < 256L << 20, $"{estimate}");
    }

    [Fact]
    public void Sequential_HoldsOnlyTheLargestModelsWeights()
    {
        var model = PackageMemoryModel.Of(ModelPackage.Open(BuiltInPackages.EnsureBuilt("tiny"), Cpu));

        var sequential = model.Estimate(new ImageSize(64, 64), 1, MemoryMode.Sequential);

        Assert.Equal(model.LargestWeightBytes, sequential.WeightBytes);
        Assert.True(model.LargestWeightBytes < model.ResidentWeightBytes);
    }

    [Fact]
    public void TextEncodersOffDevice_LeavesCLIPAndT5sWeightsOutOfTheDevicesEstimate()
    {
        var package = ModelPackage.Open(BuiltInPackages.EnsureBuilt("tiny"), Cpu);
        var model = PackageMemoryModel.Of(package);
        long Weights(string file) => ModelProto.Parser.ParseFrom(File.ReadAllBytes(file)).Graph.Initializer
            .Sum(t => t.Dims.Aggregate(1L, (n, d) => n * d) * (t.DataType == (int)TensorProto.Types.DataType.Int64 ? 8 : 4));
        var onDevice = package.Io.All
            .Where(c => c.Component is not (ModelComponent.ClipTextEncoder or ModelComponent.T5TextEncoder))
            .Select(c => Weights(c.ModelFile)).ToList();
        var size = new ImageSize(512, 512);

        var resident = model.Estimate(size, 1, MemoryMode.Resident, textEncodersOffDevice: true);
        var sequential = model.Estimate(size, 1, MemoryMode.Sequential, textEncodersOffDevice: true);

        Assert.Equal(onDevice.Sum(), resident.WeightBytes);
        Assert.Equal(onDevice.Max(), sequential.WeightBytes);
        var everything = model.Estimate(size, 1, MemoryMode.Resident);
        Assert.Equal(everything.PeakBytes - everything.WeightBytes, resident.PeakBytes - resident.WeightBytes);   // activations unchanged
        Assert.True(resident.WeightBytes < everything.WeightBytes);
    }

    [Fact]
    public void LargestFitting_IsTheLargestSizeOfTheAspectWithinTheBudget()
    {
        var model = PackageMemoryModel.Of(ModelPackage.Open(BuiltInPackages.EnsureBuilt("tiny"), Cpu));
        long budget = model.Estimate(new ImageSize(1024, 512), 1, MemoryMode.Resident).PeakBytes;

        var fits = model.LargestFitting(new ImageSize(4096, 2048), 1, MemoryMode.Resident, budget);

        Assert.Equal(new ImageSize(1024, 512), fits);
        Assert.Null(model.LargestFitting(new ImageSize(4096, 2048), 1, MemoryMode.Resident, budgetBytes: 1));
    }

    [Fact]
    public void Cli_4096OnTiny_IsRefusedBeforeRunning_WithTheEstimateAndTheLargestSizeThatFits()
    {
        var model = PackageMemoryModel.Of(ModelPackage.Open(BuiltInPackages.EnsureBuilt("tiny"), Cpu));
        long budget = MemoryEstimate.CpuBudgetBytes();
        var largest = model.LargestFitting(new ImageSize(4096, 4096), 1, MemoryMode.Resident, budget)!.Value;

        var (exitCode, _, error) = CliRunner.Run("generate", "a cat", "--model", "tiny", "--provider", "cpu", "--width", "4096", "--height", "4096", "--steps", "1");

        Assert.Equal(2, exitCode);
        Assert.StartsWith("error: 4096x4096 x 1 image(s) needs about ", error, StringComparison.Ordinal);
        Assert.Contains($"the largest 1:1 size that fits is {largest.Width}x{largest.Height}", error, StringComparison.Ordinal);
        Assert.True(model.Estimate(largest, 1, MemoryMode.Resident).PeakBytes <= budget);
        Assert.True(model.Estimate(new ImageSize(largest.Width + 16, largest.Height + 16), 1, MemoryMode.Resident).PeakBytes > budget);
    }
}
