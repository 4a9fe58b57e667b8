using BenchmarkDotNet.Attributes;
using Flux.Inference.Text;
using Flux.Tests.Shared;

namespace Flux.Benchmarks;

/// <summary>
/// Cost of turning a prompt into encoder input ids, per prompt, into a preallocated buffer (the span overloads).
/// `dotnet run -c Release --project bench/Flux.Benchmarks -- --filter *TokenizerBenchmarks*`
/// </summary>
[MemoryDiagnoser]
public class TokenizerBenchmarks
{
    private const string ShortPrompt = "a photo of a cat";

    // About 80 CLIP tokens (CLIP keeps 75) and 160 T5 tokens (T5 at 256 keeps all).
    private const string LongPrompt =
        "a lighthouse on a rocky cliff at dusk, waves crashing below, seagulls circling, warm light from the lantern room, " +
        "dramatic clouds, cinematic composition, 35mm film grain; in the foreground a weathered wooden fence with moss and " +
        "wildflowers; in the background a small fishing village with whitewashed houses and red roofs; soft golden hour " +
        "lighting, volumetric fog, highly detailed, sharp focus, octane render";

    private readonly long[] _clipIds = new long[ClipTokenizer.SequenceLength];
    private readonly long[] _t5Ids = new long[T5Tokenizer.SchnellLength];
    private ClipTokenizer _clip = null!;
    private T5Tokenizer _t5 = null!;

    [Params(ShortPrompt, LongPrompt)]
    public string Prompt { get; set; } = ShortPrompt;

    [GlobalSetup]
    public void Setup()
    {
        _clip = ClipTokenizer.FromFiles(TokenizerTestFiles.ClipVocabJson, TokenizerTestFiles.ClipMergesTxt);
        _t5 = T5Tokenizer.FromFile(TokenizerTestFiles.T5SpieceModel, T5Tokenizer.SchnellLength);
    }

    [Benchmark]
    public long Clip()
    {
        _clip.Encode(Prompt, _clipIds);
        return _clipIds[1];
    }

    [Benchmark]
    public long T5()
    {
        _t5.Encode(Prompt, _t5Ids);
        return _t5Ids[0];
    }
}
