using Flux.Inference.Packages;
using Flux.Inference.Sessions;
using Flux.Tests.Shared;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;
using static Onnx.TensorProto.Types;

namespace Flux.Inference.Tests.Pipeline;

/// <summary>
/// Packages laid out the way other tools export FLUX load and draw the same image as our own package with
/// the same weights: the tiny package's graphs are rewritten at their boundary to each tool's names, dtypes,
/// ranks and dynamic axes, with the cast the tool's graph has inside.
/// </summary>
[Collection(BuiltPackagesCollection.Name)]
public sealed class ThirdPartyExportTests(BuiltPackages packages) : IDisposable
{
    private readonly string _copy = PackageCopy.Of(BuiltPackages.Directory("tiny"));

    /// <summary>
    /// optimum declares img_ids and txt_ids int64 (diffusers' FluxPosEmbed casts them with ids.float()); diffusers
    /// before 0.31 exported them as (B, N, 3) and FluxTransformer2DModel.forward takes item 0 (txt_ids[0]).
    /// </summary>
    [Theory]
    [InlineData(DataType.Int64, false)]
    [InlineData(DataType.Int64, true)]
    [InlineData(DataType.Int32, false)]
    public void IntegerPositionIds_OfRankTwoOrThree_GiveOurPackagesImage(DataType idType, bool batched)
    {
        var transformer = Path.Combine(_copy, "transformer", "model.onnx");
        Edit(transformer, graph =>
        {
            IntegerPositions(graph, "img_ids", idType, batched, "packed_height_width");
            IntegerPositions(graph, "txt_ids", idType, batched, "sequence_length");
        });

        using var exported = FluxPipeline.Open(_copy, BuiltPackages.Cpu, cache: new SessionCache());
        Assert.Equal(idType == DataType.Int64 ? TensorElementType.Int64 : TensorElementType.Int32, exported.Package.Io.Transformer[IoContract.ImageIds].ElementType);
        var settings = GenerationSettings.Defaults(packages.Tiny.Package, "a red circle") with { Width = 256, Height = 128, Steps = 2 };
        GenerationSettings[] batch = [settings, settings with { Prompt = "a blue square", Seed = 1, ImageIndex = 1 }];   // a batch of two: (B, N, 3) ids repeat per item
        var expected = packages.Tiny.Generate(batch);
        var actual = exported.Generate(batch);
        Assert.Equal(expected.Select(i => i.Rgb), actual.Select(i => i.Rgb));
    }

    /// <summary>
    /// BFL's TensorRT layout: int32 input_ids, CLIP -> pooled_embeddings, T5 -> text_embeddings, VAE latent -> images,
    /// and a bf16 transformer whose position ids stay fp32. bf16 rounds, so the image matches up to rounding.
    /// </summary>
    [Fact]
    public void BflTensorRtLayout_WithBf16IoAndFp32Ids_DrawsOurPackagesImage()
    {
        Edit(Path.Combine(_copy, "text_encoder", "model.onnx"), graph =>
        {
            DeclareInput(graph, "input_ids", DataType.Int32, DataType.Int64);
            RenameOutput(graph, "pooler_output", "pooled_embeddings");
            RenameOutput(graph, "last_hidden_state", "text_embeddings");
        });
        Edit(Path.Combine(_copy, "text_encoder_2", "model.onnx"), graph =>
        {
            DeclareInput(graph, "input_ids", DataType.Int32, DataType.Int64);
            RenameOutput(graph, "last_hidden_state", "text_embeddings");
        });
        Edit(Path.Combine(_copy, "vae_decoder", "model.onnx"), graph =>
        {
            RenameInput(graph, "latent_sample", "latent");
            RenameOutput(graph, "sample", "images");
        });
        Edit(Path.Combine(_copy, "transformer", "model.onnx"), Bf16TransformerIo);

        using var trt = FluxPipeline.Open(_copy, BuiltPackages.Cpu, cache: new SessionCache());
        Assert.Equal(TensorElementType.Int32, trt.Package.Io.Clip[IoContract.Ids].ElementType);
        Assert.Equal("pooled_embeddings", trt.Package.Io.Clip[IoContract.Pooled].Name);
        Assert.Equal("images", trt.Package.Io.Vae[IoContract.Image].Name);
        Assert.Equal(TensorElementType.BFloat16, trt.Package.Io.Transformer[IoContract.HiddenStates].ElementType);
        Assert.Equal(TensorElementType.Float, trt.Package.Io.Transformer[IoContract.TextIds].ElementType);
        var settings = GenerationSettings.Defaults(packages.Tiny.Package, "a blue square") with { Width = 256, Height = 256, Steps = 2 };
        var expected = packages.Tiny.Generate(settings).Rgb;
        var actual = trt.Generate(settings).Rgb;
        double meanDifference = expected.Zip(actual, (a, b) => (double)Math.Abs(a - b)).Average();
        Assert.True(meanDifference <= 2.0, $"mean pixel difference {meanDifference:F2}");
    }

    /// <summary>
    /// The binding path a CUDA graph session takes (every input bound again before each run, docs/gpu.md) with bf16
    /// transformer inputs and output: the host buffers convert at the boundary and sample as when bound once.
    /// </summary>
    [Fact]
    public void Bf16TransformerIo_OnASessionCapturingACudaGraph_EqualsInputsBoundOnce()
    {
        string transformer = Path.Combine(_copy, "transformer", "model.onnx");
        Edit(transformer, Bf16TransformerIo);
        using var exported = FluxPipeline.Open(_copy, BuiltPackages.Cpu, cache: new SessionCache());
        Assert.Equal(TensorElementType.BFloat16, exported.Package.Io.Transformer[IoContract.Velocity].ElementType);
        var conditioning = exported.EncodePrompt("a red circle");
        var size = Flux.Core.ImageSize.Create(128, 128);
        using var lease = new SessionCache().Acquire(transformer, BuiltPackages.Cpu);
        using var graphSession = TransformerBindingTests.CapturingSession(transformer);

        float[] boundOnce = TransformerBindingTests.Denoise(lease.Session, exported.Package, conditioning, size);
        float[] reboundEveryRun = TransformerBindingTests.Denoise(graphSession, exported.Package, conditioning, size);

        Assert.Equal(boundOnce, reboundEveryRun);
    }

    [Fact]
    public void PositionIdsOfRankFour_AreRefusedNamingTheInputAndBothShapes()
    {
        Edit(Path.Combine(_copy, "transformer", "model.onnx"), graph =>
        {
            var input = graph.Input.Single(i => i.Name == "txt_ids");
            input.Type.TensorType.Shape.Dim.Insert(0, new TensorShapeProto.Types.Dimension { DimValue = 1 });
            input.Type.TensorType.Shape.Dim.Insert(0, new TensorShapeProto.Types.Dimension { DimValue = 1 });
            var squeezed = Rewire(graph, "txt_ids");
            graph.Node.Insert(0, Node("Squeeze", [input.Name, Axes(graph, "axes_01", 0, 1)], squeezed));
        });

        var error = Assert.Throws<FluxModelException>(() => FluxPipeline.Open(_copy, BuiltPackages.Cpu, cache: new SessionCache()));
        Assert.Contains("'txt_ids'", error.Message, StringComparison.Ordinal);
        Assert.Contains("(T, 3) or (B, T, 3)", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_copy, recursive: true);

    /// <summary>BFL's TensorRT transformer: bf16 inputs (the fp32 position ids aside) and output, cast to fp32 inside.</summary>
    private static void Bf16TransformerIo(GraphProto graph)
    {
        foreach (var input in graph.Input.Where(i => i.Name is not ("img_ids" or "txt_ids")).ToList())
        {
            DeclareInput(graph, input.Name, DataType.Bfloat16, DataType.Float);
        }

        RetypeOutput(graph, graph.Output.Single().Name, DataType.Bfloat16);
    }

    private static void Edit(string modelFile, Action<GraphProto> edit)
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(modelFile));
        edit(model.Graph);
        File.WriteAllBytes(modelFile, model.ToByteArray());
    }

    /// <summary>Declares <paramref name="name"/> as integer ids, optionally with a leading dynamic batch axis read at item 0, cast to float inside.</summary>
    private static void IntegerPositions(GraphProto graph, string name, DataType idType, bool batched, string lengthAxis)
    {
        var input = graph.Input.Single(i => i.Name == name);
        var dims = input.Type.TensorType.Shape.Dim;
        dims[0] = new TensorShapeProto.Types.Dimension { DimParam = lengthAxis };
        input.Type.TensorType.ElemType = (int)idType;
        var asFloat = Rewire(graph, name);
        var ids = name;
        if (batched)
        {
            dims.Insert(0, new TensorShapeProto.Types.Dimension { DimParam = "batch_size" });
            ids = name + "_item0";
            graph.Node.Insert(0, Node("Gather", [name, Axes(graph, "item0")], ids, new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 0 }));
        }

        graph.Node.Insert(batched ? 1 : 0, CastNode(ids, asFloat, DataType.Float));
    }

    /// <summary>Declares input <paramref name="name"/> as <paramref name="declared"/> and casts it inside to the type the graph computes in.</summary>
    private static void DeclareInput(GraphProto graph, string name, DataType declared, DataType inner)
    {
        graph.Input.Single(i => i.Name == name).Type.TensorType.ElemType = (int)declared;
        graph.Node.Insert(0, CastNode(name, Rewire(graph, name), inner));
    }

    /// <summary>Declares output <paramref name="output"/> as <paramref name="declared"/>, cast from the graph's value.</summary>
    private static void RetypeOutput(GraphProto graph, string output, DataType declared)
    {
        string inner = output + "_inner";
        foreach (var node in graph.Node)
        {
            Replace(node.Output, output, inner);
        }

        graph.Output.Single(o => o.Name == output).Type.TensorType.ElemType = (int)declared;
        graph.Node.Add(CastNode(inner, output, declared));
    }

    private static void RenameInput(GraphProto graph, string from, string to)
    {
        graph.Input.Single(i => i.Name == from).Name = to;
        foreach (var node in graph.Node)
        {
            Replace(node.Input, from, to);
        }
    }

    private static void RenameOutput(GraphProto graph, string from, string to)
    {
        graph.Output.Single(o => o.Name == from).Name = to;
        foreach (var node in graph.Node)
        {
            Replace(node.Output, from, to);
        }
    }

    /// <summary>Points every consumer of graph input <paramref name="name"/> at a new value, returned for the caller to produce.</summary>
    private static string Rewire(GraphProto graph, string name)
    {
        string inner = name + "_as_used";
        foreach (var node in graph.Node)
        {
            Replace(node.Input, name, inner);
        }

        return inner;
    }

    private static void Replace(Google.Protobuf.Collections.RepeatedField<string> names, string from, string to)
    {
        for (int k = 0; k < names.Count; k++)
        {
            if (names[k] == from)
            {
                names[k] = to;
            }
        }
    }

    private static string Axes(GraphProto graph, string name, params long[] values)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)DataType.Int64 };
        if (values.Length > 0)
        {
            tensor.Dims.Add(values.Length);
        }

        tensor.Int64Data.AddRange(values.Length > 0 ? values : [0]);
        graph.Initializer.Add(tensor);
        return name;
    }

    private static NodeProto CastNode(string input, string output, DataType to) =>
        Node("Cast", [input], output, new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = (int)to });

    private static NodeProto Node(string op, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = $"{op}_{output}" };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        return node;
    }
}
