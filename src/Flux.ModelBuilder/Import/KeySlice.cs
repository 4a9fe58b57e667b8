namespace Flux.ModelBuilder.Import;

/// <summary>
/// Rows [<see cref="FirstRow"/>, <see cref="FirstRow"/> + <see cref="RowCount"/>) along axis 0 of checkpoint tensor
/// <see cref="Key"/>; a <see cref="RowCount"/> of -1 means every row. A graph parameter is the concatenation of one or
/// more slices, which expresses both fused weights (q, k, v concatenated into qkv) and reorders (swapped halves).
/// </summary>
internal sealed record KeySlice(string Key, long FirstRow = 0, long RowCount = KeySlice.AllRows)
{
    public const long AllRows = -1;

    /// <summary>
    /// A whole tensor read under another shape with the same rows, element count and row-major order (diffusers' VAE
    /// attention Linear (C, C) is BFL's 1x1 Conv2d (C, C, 1, 1)); null keeps the checkpoint's shape.
    /// </summary>
    public IReadOnlyList<long>? ViewAs { get; init; }
}

/// <summary>Which checkpoint slices make up the graph parameter named by its BFL/PyTorch state-dict key.</summary>
internal delegate IReadOnlyList<KeySlice> KeyMap(string graphName);

internal static class KeyMaps
{
    /// <summary>The checkpoint uses the graph's own names.</summary>
    public static KeyMap Identity { get; } = name => [new KeySlice(name)];
}
