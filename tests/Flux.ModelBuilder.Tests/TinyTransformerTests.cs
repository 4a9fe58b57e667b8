using Flux.Core;
using Input = Flux.ModelBuilder.Tests.OnnxModel.Input;

namespace Flux.ModelBuilder.Tests;

[Collection(PackagesCollection.Name)]
public sealed class TinyTransformerTests(PackagesFixture packages)
{
    private const int Batch = 2;
    private const int PooledWidth = 768;

    public static TheoryData<string> Inputs => new() { "hidden_states", "encoder_hidden_states", "pooled_projections", "timestep", "img_ids", "txt_ids", "guidance" };

    [Fact]
    public void Output_HasThePackedShape_AndIsFinite()
    {
        var size = ImageSize.Create(256, 256);
        using var model = new OnnxModel(Path.Combine(packages.Tiny, "transformer/model.onnx"));
        var output = model.Run("latent", BaseInputs(size, textLength: 256, dev: false));
        Assert.Equal(Batch * size.SequenceLength * FluxConstants.PackedChannels, output.Length);
        Assert.All(output, v => Assert.True(float.IsFinite(v)));
        Assert.True(output.Max(Math.Abs) > 1e-3f, "the velocity should not be zero");
    }

    [Fact]
    public void NonSquareSizes_Work_BecauseTheSequenceAxisIsDynamic()
    {
        var size = ImageSize.Create(512, 128);
        using var model = new OnnxModel(Path.Combine(packages.Tiny, "transformer/model.onnx"));
        var output = model.Run("latent", BaseInputs(size, textLength: 256, dev: false));
        Assert.Equal(Batch * size.PackedLength, output.Length);
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Output_MovesWhenOneInputIsPerturbed(string input)
    {
        var dev = input == "guidance";
        var size = ImageSize.Create(128, 128);
        using var model = new OnnxModel(Path.Combine(dev ? packages.TinyDev : packages.Tiny, "transformer/model.onnx"));
        var textLength = dev ? 64 : 256;
        var inputs = BaseInputs(size, textLength, dev);
        var baseline = model.Run("latent", inputs);

        inputs[input] = Perturb(input, inputs[input], size);
        var perturbed = model.Run("latent", inputs);

        var change = baseline.Zip(perturbed, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(change > 1e-3f, $"changing {input} moved the output by only {change}");
    }

    [Fact]
    public void BatchItems_AreIndependent_AsInTheReferenceModel()
    {
        var size = ImageSize.Create(128, 128);
        using var model = new OnnxModel(Path.Combine(packages.Tiny, "transformer/model.onnx"));
        var inputs = BaseInputs(size, 256, dev: false);
        var both = model.Run("latent", inputs);

        var single = inputs.ToDictionary(p => p.Key, p => p.Key is "img_ids" or "txt_ids" ? p.Value : p.Value.FirstItem());
        var first = model.Run("latent", single);
        for (var i = 0; i < first.Length; i++)
        {
            Assert.Equal(first[i], both[i], 1e-4f);
        }
    }

    internal static Dictionary<string, Input> BaseInputs(ImageSize size, int textLength, bool dev, int t5Width = 32)
    {
        var random = new Random(1234);
        var inputs = new Dictionary<string, Input>
        {
            ["hidden_states"] = OnnxModel.Floats(Normals(random, Batch * size.PackedLength), Batch, size.SequenceLength, FluxConstants.PackedChannels),
            ["encoder_hidden_states"] = OnnxModel.Floats(Normals(random, Batch * textLength * t5Width), Batch, textLength, t5Width),
            ["pooled_projections"] = OnnxModel.Floats(Normals(random, Batch * PooledWidth), Batch, PooledWidth),
            ["timestep"] = OnnxModel.Floats([0.5f, 0.25f], Batch),
            ["img_ids"] = OnnxModel.Floats(LatentLayout.ImageIds(size), size.SequenceLength, FluxConstants.PositionAxes),
            ["txt_ids"] = OnnxModel.Floats(LatentLayout.TextIds(textLength), textLength, FluxConstants.PositionAxes),
        };
        if (dev)
        {
            inputs["guidance"] = OnnxModel.Floats([3.5f, 3.5f], Batch);
        }

        return inputs;
    }

    private static Input Perturb(string name, Input input, ImageSize size)
    {
        var values = (float[])input.Floats!.Clone();
        switch (name)
        {
            case "timestep":
                values[0] += 0.1f;
                break;
            case "guidance":
                values[0] = 5f;
                break;
            case "img_ids":
                // Transpose the grid: row and column swap places.
                for (var i = 0; i < size.SequenceLength; i++)
                {
                    (values[3 * i + 1], values[3 * i + 2]) = (values[3 * i + 2], values[3 * i + 1]);
                }

                break;
            case "txt_ids":
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = i % 3 == 0 ? 0 : i / 3;
                }

                break;
            default:
                var random = new Random(99);
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] += 0.5f * (float)(random.NextDouble() - 0.5);
                }

                break;
        }

        return input with { Floats = values };
    }

    private static float[] Normals(Random random, int count)
    {
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        }

        return values;
    }
}
