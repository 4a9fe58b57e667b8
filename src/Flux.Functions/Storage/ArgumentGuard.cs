namespace Flux.Functions.Storage;

internal static class ArgumentGuard
{
    /// <summary>An image index as part of a blob name: never negative (no "-1" names beside the real ones).</summary>
    public static int NotNegative(int index, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(index))] string? name = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index, name);
        return index;
    }
}
