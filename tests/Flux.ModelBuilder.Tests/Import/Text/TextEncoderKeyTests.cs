using Flux.ModelBuilder.Import.Text;

namespace Flux.ModelBuilder.Tests.Import.Text;

/// <summary>
/// At FLUX.1's real configs the graphs ask for exactly transformers' state-dict keys, with their shapes. Built
/// against a <see cref="KeyRecorder"/>, so no weight bytes exist (T5-XXL's encoder alone is 4.7B parameters).
/// </summary>
public sealed class TextEncoderKeyTests
{
    [Fact]
    public void ClipL_AsksForExactlyTheTextEncoderFilesKeys()
    {
        using var dir = new TempDirectory();
        var config = ClipTextConfig.Read(FluxTextConfigs.Write(dir, FluxTextConfigs.ClipL));
        var recorder = new KeyRecorder();

        ClipTextGraph.Build(config, recorder);

        AssertSameKeys(TransformersTextKeys.Clip(config), recorder.Requested, expectedCount: 196);
        Assert.Equal(123_060_480L, ParameterCount(recorder));
    }

    [Fact]
    public void T5Xxl_AsksForExactlyTheTextEncoder2FilesKeys()
    {
        using var dir = new TempDirectory();
        var config = T5Config.Read(FluxTextConfigs.Write(dir, FluxTextConfigs.T5Xxl));
        var recorder = new KeyRecorder();

        var graph = T5EncoderGraph.Build(config, recorder);

        AssertSameKeys(TransformersTextKeys.T5(config), recorder.Requested, expectedCount: 219);
        Assert.Equal(4_762_310_656L, ParameterCount(recorder));
        Assert.All(graph.Model.Graph.Initializer.Where(t => recorder.Requested.ContainsKey(t.Name)), t => Assert.True(t.RawData.IsEmpty));
    }

    private static long ParameterCount(KeyRecorder recorder) =>
        recorder.Requested.Values.Sum(shape => shape.Aggregate(1L, (product, dim) => product * dim));

    private static void AssertSameKeys(Dictionary<string, long[]> expected, IReadOnlyDictionary<string, long[]> requested, int expectedCount)
    {
        Assert.Equal(expectedCount, expected.Count);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), requested.Keys.Order(StringComparer.Ordinal));
        Assert.All(expected, pair => Assert.Equal(pair.Value, requested[pair.Key]));
    }
}
