using Flux.Core;

namespace Flux.Core.Tests;

public class ImageSizeTests
{
    [Fact]
    public void Create_DerivesLatentAndSequenceSizes()
    {
        var size = ImageSize.Create(1360, 768);

        Assert.Equal(96, size.LatentHeight);
        Assert.Equal(170, size.LatentWidth);
        Assert.Equal(48, size.TokenRows);
        Assert.Equal(85, size.TokenCols);
        Assert.Equal(48 * 85, size.SequenceLength);
        Assert.Equal(16 * 96 * 170, size.LatentLength);
        Assert.Equal(size.LatentLength, size.PackedLength);
    }

    [Theory]
    [InlineData(1000, 1024, "width 1000 is not a multiple of 16")]
    [InlineData(1024, 1000, "height 1000 is not a multiple of 16")]
    [InlineData(8, 16, "width 8 is not a multiple of 16")]
    [InlineData(0, 16, "width 0 is out of range")]
    [InlineData(16, -16, "height -16 is out of range")]
    public void Create_RejectsSidesThatAreNotPositiveMultiplesOf16(int width, int height, string message)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ImageSize.Create(width, height));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }
}
