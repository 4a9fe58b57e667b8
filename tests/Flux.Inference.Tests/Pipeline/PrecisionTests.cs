using Flux.Inference.Packages;
using Flux.Inference.Sessions;
using Flux.Tests.Shared;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;

namespace Flux.Inference.Tests.Pipeline;

/// <summary>
/// fp16 and bf16 sessions: the tiny package with its IO rewritten to half precision (Cast nodes at the
/// graph boundary) runs through the same pipeline, converted at the boundary, and draws the fp32 image
/// up to rounding.
/// </summary>
[Collection(BuiltPackagesCollection.Name)]
public sealed class PrecisionTests(BuiltPackages packages) : IDisposable
{
    private const int Float16 = (int)TensorProto.Types.DataType.Float16;
    private const int BFloat16 = (int)TensorProto.Types.DataType.Bfloat16;
    private const double MaxMeanPixelDifference = 2.0;

    private readonly string _copy = PackageCopy.Of(BuiltPackages.Directory("tiny-dev"));

    [Fact]
    public void HalfPrecisionSessions_AreConvertedAtTheBoundary_AndDrawTheSameImage()
    {
        HalfPrecisionIo(Path.Combine(_copy, "text_encoder", "model.onnx"), Float16);
        HalfPrecisionIo(Path.Combine(_copy, "text_encoder_2", "model.onnx"), BFloat16);
        HalfPrecisionIo(Path.Combine(_copy, "transformer", "model.onnx"), BFloat16);
        HalfPrecisionIo(Path.Combine(_copy, "vae_decoder", "model.onnx"), Float16);

        using var half = FluxPipeline.Open(_copy, BuiltPackages.Cpu, cache: new SessionCache());
        Assert.Equal(TensorElementType.BFloat16, half.Package.Io.Transformer[IoContract.HiddenStates].ElementType);
        Assert.Equal(TensorElementType.Float16, half.Package.Io.Vae[IoContract.Image].ElementType);
        var settings = GenerationSettings.Defaults(packages.TinyDev.Package, "a red circle") with { Width = 256, Height = 256, Steps = 2 };
        byte[] expected = packages.TinyDev.Generate(settings).Rgb;
        byte[] actual = half.Generate(settings).Rgb;
        double meanDifference = expected.Zip(actual, (a, b) => (double)Math.Abs(a - b)).Average();
        Assert.True(meanDifference <= MaxMeanPixelDifference, $"mean pixel difference {meanDifference:F2}");
    }

    public void Dispose() => Directory.Delete(_copy, recursive: true);

    /// <summary>Rewrites every float32 graph input and output to <paramref name="elementType"/>, casting to float32 inside.</summary>
    private static void HalfPrecisionIo(string modelFile, int elementType)
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(modelFile));
        var graph = model.Graph;
        const int float32 = (int)TensorProto.Types.DataType.Float;
        foreach (var input in graph.Input.Where(i => i.Type.TensorType.ElemType == float32))
        {
            string inner = input.Name + "_f32";
            Rename(graph, input.Name, inner, outputs: false);
            input.Type.TensorType.ElemType = elementType;
            graph.Node.Insert(0, Cast(input.Name, inner, float32));
        }

        foreach (var output in graph.Output.Where(o => o.Type.TensorType.ElemType == float32))
        {
            string inner = output.Name + "_f32";
            Rename(graph, output.Name, inner, outputs: true);
            output.Type.TensorType.ElemType = elementType;
            graph.Node.Add(Cast(inner, output.Name, elementType));
        }

        File.WriteAllBytes(modelFile, model.ToByteArray());
    }

    private static void Rename(GraphProto graph, string from, string to, bool outputs)
    {
        foreach (var node in graph.Node)
        {
            var names = outputs ? node.Output : node.Input;
            for (int k = 0; k < names.Count; k++)
            {
                if (names[k] == from)
                {
                    names[k] = to;
                }
            }

            if (outputs)
            {
                for (int k = 0; k < node.Input.Count; k++)
                {
                    if (node.Input[k] == from)
                    {
                        node.Input[k] = to;
                    }
                }
            }
        }
    }

    private static NodeProto Cast(string input, string output, int to)
    {
        var node = new NodeProto { OpType = "Cast", Name = $"cast_{output}" };
        node.Input.Add(input);
        node.Output.Add(output);
        node.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = to });
        return node;
    }
}
