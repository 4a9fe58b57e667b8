using System.Text;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace Flux.Inference.Text;

/// <summary>
/// CLIP's text clean-up before BPE, as the Hugging Face CLIP tokenizer does it: Unicode NFC, every run of
/// whitespace to one space, trimmed, lower-cased (invariant culture, so the result does not depend on the host).
/// NFC needs ICU: under InvariantGlobalization .NET's string.Normalize does nothing, which is why the repository
/// keeps globalization on (the Functions base image ships ICU).
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
