using Flux.Inference.Text;
using Flux.Tests.Shared;

namespace Flux.Inference.Tests.Text;

/// <summary>One tokenizer instance is shared by every request of a worker, so it must give the same ids under contention.</summary>
public sealed class TokenizerConcurrencyTests
{
    public static TheoryData<string> Tokenizers() => new("clip", "t5");

    [Theory]
    [MemberData(nameof(Tokenizers))]
    public void Encode_FromManyThreadsAtOnce_GivesTheIdsOfASingleThread(string which)
    {
        FixedLengthTokenizer tokenizer = which == "clip"
            ? ClipTokenizer.FromFiles(TokenizerTestFiles.ClipVocabJson, TokenizerTestFiles.ClipMergesTxt)
            : T5Tokenizer.FromFile(TokenizerTestFiles.T5SpieceModel, T5Tokenizer.SchnellLength);
        string[] prompts = [.. TokenizerReference.Instance.Prompts.Select(p => p.Prompt)];
        // Expected ids come from a fresh instance, so the shared one starts with cold caches under contention.
        FixedLengthTokenizer reference = which == "clip"
            ? ClipTokenizer.FromFiles(TokenizerTestFiles.ClipVocabJson, TokenizerTestFiles.ClipMergesTxt)
            : T5Tokenizer.FromFile(TokenizerTestFiles.T5SpieceModel, T5Tokenizer.SchnellLength);
        long[][] expected = [.. prompts.Select(reference.Encode)];

        var mismatches = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, prompts.Length * 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            int p = i % prompts.Length;
            if (!tokenizer.Encode(prompts[p]).AsSpan().SequenceEqual(expected[p]))
            {
                mismatches.Add(prompts[p]);
            }
        });

        Assert.Empty(mismatches);
    }
}
