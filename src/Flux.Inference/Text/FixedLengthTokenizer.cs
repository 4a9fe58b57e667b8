namespace Flux.Inference.Text;

/// <summary>
/// A tokenizer whose output is always <see cref="Length"/> ids: the input of a text encoder with a fixed
/// sequence length. Prompts are trimmed of leading and trailing whitespace before encoding.
/// </summary>
public abstract class FixedLengthTokenizer
{
    /// <summary>Ids per prompt.</summary>
    public abstract int Length { get; }

    /// <summary>The <see cref="Length"/> ids of a prompt (trimmed first).</summary>
    public long[] Encode(string prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var ids = new long[Length];
        Encode(prompt.AsSpan(), ids);
        return ids;
    }

    /// <summary>Writes the <see cref="Length"/> ids of a prompt (trimmed first) into <paramref name="destination"/>.</summary>
    public void Encode(string prompt, Span<long> destination)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        Encode(prompt.AsSpan(), destination);
    }

    /// <summary>Writes the ids of a prompt (trimmed first) into <paramref name="destination"/>, exactly <see cref="Length"/> long.</summary>
    public void Encode(ReadOnlySpan<char> prompt, Span<long> destination)
    {
        if (destination.Length != Length)
        {
            throw new ArgumentException($"destination holds {destination.Length} ids; the {Name} tokenizer writes exactly {Length}.", nameof(destination));
        }

        EncodeTrimmed(prompt.Trim(), destination);
    }

    /// <summary>"CLIP", "T5": for messages.</summary>
    protected abstract string Name { get; }

    /// <summary>Writes the ids of an already trimmed prompt into a destination of exactly <see cref="Length"/> ids.</summary>
    protected abstract void EncodeTrimmed(ReadOnlySpan<char> prompt, Span<long> destination);
}
