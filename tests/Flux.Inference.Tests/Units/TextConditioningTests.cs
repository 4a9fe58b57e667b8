using Flux.Inference.Stages;

namespace Flux.Inference.Tests.Units;

public class TextConditioningTests
{
    private static TextConditioning Sample(int batch = 2) => new(batch, 4, 3, 5,
        Enumerable.Range(0, batch * 5).Select(i => i * 0.5f).ToArray(),
        Enumerable.Range(0, batch * 4 * 3).Select(i => -i * 0.25f).ToArray());

    [Fact]
    public void WriteThenRead_ReturnsTheSameValues()
    {
        var original = Sample();
        using var stream = new MemoryStream();
        original.WriteTo(stream);
        stream.Position = 0;
        var read = TextConditioning.ReadFrom(stream);
        Assert.Equal((2, 4, 3, 5), (read.BatchSize, read.T5Length, read.T5Width, read.PooledWidth));
        Assert.Equal(original.Pooled, read.Pooled);
        Assert.Equal(original.T5Hidden, read.T5Hidden);
    }

    [Fact]
    public void Read_OfAFlippedByte_ReportsTheChecksum()
    {
        using var stream = new MemoryStream();
        Sample().WriteTo(stream);
        byte[] bytes = stream.ToArray();
        bytes[40] ^= 0x10;
        var ex = Assert.Throws<InvalidDataException>(() => TextConditioning.ReadFrom(new MemoryStream(bytes)));
        Assert.Contains("checksum", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_OfATruncatedStream_SaysTruncated()
    {
        using var stream = new MemoryStream();
        Sample().WriteTo(stream);
        byte[] bytes = stream.ToArray()[..30];
        var ex = Assert.Throws<InvalidDataException>(() => TextConditioning.ReadFrom(new MemoryStream(bytes)));
        Assert.Contains("truncated", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SliceThenConcat_RebuildsTheBatch()
    {
        var batch = Sample(3);
        var rebuilt = TextConditioning.Concat([batch.Slice(0), batch.Slice(1), batch.Slice(2)]);
        Assert.Equal(batch.Pooled, rebuilt.Pooled);
        Assert.Equal(batch.T5Hidden, rebuilt.T5Hidden);
    }
}
