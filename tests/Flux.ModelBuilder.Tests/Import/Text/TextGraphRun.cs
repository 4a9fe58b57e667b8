using Flux.ModelBuilder.Onnx;

namespace Flux.ModelBuilder.Tests.Import.Text;

/// <summary>Writes a built text-encoder graph to a temporary folder and runs it on ONNX Runtime's CPU provider.</summary>
internal static class TextGraphRun
{
    /// <summary>Runs <paramref name="graph"/> on int64 <c>input_ids</c> of shape (batch, length) and returns the named outputs.</summary>
    public static float[][] Outputs(BuiltGraph graph, long[] ids, int batch, int length, params string[] outputs)
    {
        using var dir = new TempDirectory();
        var path = dir.Sub("model.onnx");
        graph.Write(path);
        using var model = new OnnxModel(path);
        var inputs = new Dictionary<string, OnnxModel.Input> { ["input_ids"] = OnnxModel.Int64s(ids, batch, length) };
        return outputs.Select(output => model.Run(output, inputs)).ToArray();
    }

    /// <summary>Rows of token ids: each prompt followed by <paramref name="pad"/> up to <paramref name="length"/>.</summary>
    public static long[] Padded(int length, long pad, params long[][] prompts)
    {
        var ids = new long[prompts.Length * length];
        for (var row = 0; row < prompts.Length; row++)
        {
            Array.Fill(ids, pad, row * length, length);
            prompts[row].CopyTo(ids, row * length);
        }

        return ids;
    }
}
