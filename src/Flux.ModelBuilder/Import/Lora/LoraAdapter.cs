using Flux.ModelBuilder.Import.SafeTensors;

namespace Flux.ModelBuilder.Import.Lora;

/// <summary>One low-rank pair of a LoRA file: down (rank, in), up (out, rank), optional alpha (absent = rank).</summary>
internal sealed class LoraAdapter(string file, string name, CheckpointTensor down, CheckpointTensor up, CheckpointTensor? alpha)
{
    public string File { get; } = file;

    /// <summary>The adapter's module name as the file spells it (kohya "lora_unet_double_blocks_0_img_attn_qkv", PEFT "transformer.transformer_blocks.0.attn.to_q").</summary>
    public string Name { get; } = name;

    public CheckpointTensor Down { get; } = down;

    public CheckpointTensor Up { get; } = up;

    public CheckpointTensor? Alpha { get; } = alpha;

    public int Rank => (int)Down.Info.Shape[0];

    public bool Used { get; set; }

    /// <summary>
    /// The update of output rows [<paramref name="outputRow"/>, +<paramref name="rowCount"/>) of a weight with
    /// <paramref name="targetShape"/>[1] inputs, from up's rows [<paramref name="upRow"/>, +<paramref name="rowCount"/>):
    /// scale * (alpha / rank) * up @ down (kohya's and PEFT's LoRA scaling).
    /// </summary>
    public LowRankUpdate Update(string target, long[] targetShape, long outputRow, long upRow, long rowCount, bool wholeTensor, float scale)
    {
        var downShape = Down.Info.Shape;
        var upShape = Up.Info.Shape;
        if (downShape.Length != 2 || upShape.Length != 2 || upShape[1] != downShape[0] || downShape[1] != targetShape[1] || upRow + rowCount > upShape[0])
        {
            throw new ImportException(
                $"{File}: LoRA '{Name}' (down [{string.Join(", ", downShape)}], up [{string.Join(", ", upShape)}]) does not fit transformer weight '{target}' " +
                $"[{string.Join(", ", targetShape)}]; is it a LoRA for another model?");
        }

        if (wholeTensor && rowCount != upShape[0])
        {
            throw new ImportException(
                $"{File}: LoRA '{Name}' up has {upShape[0]} rows but transformer weight '{target}' [{string.Join(", ", targetShape)}] needs {rowCount}; is it a LoRA for another model?");
        }

        var rank = (int)downShape[0];
        var alpha = Alpha is null ? rank : TensorValues.Read(Alpha) is [var value] ? value
            : throw new ImportException($"{File}: LoRA alpha '{Alpha.Name}' has shape [{string.Join(", ", Alpha.Info.Shape)}], not a single number");
        var up = TensorValues.Read(Up);
        var rows = up.AsSpan((int)(upRow * rank), (int)(rowCount * rank)).ToArray();
        Used = true;
        return new LowRankUpdate(File, outputRow, (int)rowCount, rank, (int)downShape[1], rows, TensorValues.Read(Down), scale * alpha / rank);
    }
}

/// <summary>Small tensors (LoRA factors) read whole into fp32.</summary>
internal static class TensorValues
{
    public static float[] Read(CheckpointTensor tensor)
    {
        if (!ElementConversion.IsReadable(tensor.Info.DType))
        {
            throw new ImportException($"{tensor.File.Path}: tensor '{tensor.Name}' is {tensor.Info.DType}; LoRA factors must be F32, F16 or BF16");
        }

        var bytes = new byte[tensor.Info.ByteLength];
        using (var stream = tensor.File.OpenRead(tensor.Info))
        {
            stream.ReadExactly(bytes);
        }

        var values = new float[tensor.Info.ElementCount];
        ElementConversion.ToFloat(tensor.Info.DType, bytes, values);
        return values;
    }
}
