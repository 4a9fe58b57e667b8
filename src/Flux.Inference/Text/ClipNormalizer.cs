using System.Text;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace Flux.Inference.Text;

/// <summary>
/// CLIP's text clean-up before BPE, as the Hugging Face CLIP tokenizer does it: Unicode NFC, every run of
/// whitespace to one space, trimmed, lower-cased (invariant culture, so the result does not depend on the host).
/// Under InvariantGlobalization (this repository's default) .NET's string.Normalize does nothing, so decomposed
/// (NFD) accents stay decomposed and tokenize differently from Hugging Face; composed text, the usual case, is exact.
/// </summary>
internal sealed partial class ClipNormalizer : Normalizer
{
    public static ClipNormalizer Instance { get; } = new();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex WhitespaceRun();

    public override string Normalize(string original)
    {
        ArgumentNullException.ThrowIfNull(original);
        string composed = original.IsNormalized(NormalizationForm.FormC) ? original : original.Normalize(NormalizationForm.FormC);
        return WhitespaceRun().Replace(composed, " ").Trim().ToLowerInvariant();
    }

    public override string Normalize(ReadOnlySpan<char> original) => Normalize(original.ToString());
}
