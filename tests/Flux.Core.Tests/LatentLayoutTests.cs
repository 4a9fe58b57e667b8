using Flux.Core;

namespace Flux.Core.Tests;

public class LatentLayoutTests
{
    // Latent value at (c, y, x) encodes its coordinates: c*100 + y*10 + x.
    private static float[] CoordinateLatent(ImageSize size)
    {
        var latent = new float[size.LatentLength];
        for (int c = 0; c < 16; c++)
        {
            for (int y = 0; y < size.LatentHeight; y++)
            {
                for (int x = 0; x < size.LatentWidth; x++)
                {
                    latent[(((c * size.LatentHeight) + y) * size.LatentWidth) + x] = (c * 100) + (y * 10) + x;
                }
            }
        }

        return latent;
    }

    [Fact]
    public void Pack_WideImage_MapsPatchesToTokensAsHandChecked()
    {
        // 32x16 pixels: latent (16, 2, 4), tokens 1 row x 2 cols; token 1 covers latent columns 2-3.
        var size = ImageSize.Create(32, 16);
        var packed = new float[size.PackedLength];

        LatentLayout.Pack(CoordinateLatent(size), packed, size);

        Assert.Equal([0f, 1f, 10f, 11f, 100f, 101f, 110f, 111f], packed[..8]);   // token 0: c*4 + ph*2 + pw
        Assert.Equal([2f, 3f, 12f, 13f], packed[64..68]);                          // token 1, channel 0
        Assert.Equal(1513f, packed[64 + 63]);                                        // token 1, c=15, ph=1, pw=1
    }

    [Fact]
    public void Pack_TallImage_TokenIndexIsRowTimesColsPlusCol()
    {
        // 16x32 pixels: latent (16, 4, 2), tokens 2 rows x 1 col; token 1 covers latent rows 2-3.
        var size = ImageSize.Create(16, 32);
        var packed = new float[size.PackedLength];

        LatentLayout.Pack(CoordinateLatent(size), packed, size);

        Assert.Equal([20f, 21f, 30f, 31f, 120f], packed[64..69]);
    }

    [Fact]
    public void Pack_MatchesEinopsDefinitionForABatch()
    {
        var size = ImageSize.Create(48, 80);   // latent (16, 10, 6), tokens 5 x 3
        const int batch = 2;
        float[] latent = TestData.Normals(9, batch * size.LatentLength);
        var packed = new float[latent.Length];

        LatentLayout.Pack(latent, packed, size, batch);

        // b c (h ph) (w pw) -> b (h w) (c ph pw), written as the six nested indices einops names.
        int hs = size.TokenRows, ws = size.TokenCols, l = hs * ws;
        for (int b = 0; b < batch; b++)
        {
            for (int h = 0; h < hs; h++)
            {
                for (int w = 0; w < ws; w++)
                {
                    for (int c = 0; c < 16; c++)
                    {
                        for (int ph = 0; ph < 2; ph++)
                        {
                            for (int pw = 0; pw < 2; pw++)
                            {
                                int source = (((((b * 16) + c) * ((hs * 2)) + ((h * 2) + ph)) * (ws * 2))) + (w * 2) + pw;
                                int target = (((b * l) + (h * ws) + w) * 64) + (c * 4) + (ph * 2) + pw;
                                Assert.Equal(latent[source], packed[target]);
                            }
                        }
                    }
                }
            }
        }
    }

    [Fact]
    public void PackedIndex_PointsWherePackPutsEachElement()
    {
        var size = ImageSize.Create(80, 48);
        float[] latent = CoordinateLatent(size);
        var packed = new float[size.PackedLength];

        LatentLayout.Pack(latent, packed, size);

        for (int c = 0; c < 16; c++)
        {
            for (int y = 0; y < size.LatentHeight; y++)
            {
                for (int x = 0; x < size.LatentWidth; x++)
                {
                    Assert.Equal((c * 100) + (y * 10) + x, packed[LatentLayout.PackedIndex(size, c, y, x)]);
                }
            }
        }
    }

    [Fact]
    public void Unpack_InvertsPack()
    {
        var size = ImageSize.Create(64, 96);
        float[] latent = TestData.Normals(10, 3 * size.LatentLength);
        var packed = new float[latent.Length];
        var roundTrip = new float[latent.Length];

        LatentLayout.Pack(latent, packed, size, 3);
        LatentLayout.Unpack(packed, roundTrip, size, 3);

        Assert.Equal(latent, roundTrip);
        Assert.NotEqual(latent, packed);
    }

    [Fact]
    public void Pack_RejectsBuffersOfTheWrongLength()
    {
        var size = ImageSize.Create(32, 32);

        var error = Assert.Throws<ArgumentException>(() => LatentLayout.Pack(new float[100], new float[size.PackedLength], size));

        Assert.Contains("latent has 100 floats", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ImageIds_AreZeroRowColPerToken()
    {
        var size = ImageSize.Create(48, 32);   // tokens 2 rows x 3 cols

        float[] ids = LatentLayout.ImageIds(size);

        Assert.Equal(
            [0f, 0f, 0f, 0f, 0f, 1f, 0f, 0f, 2f, 0f, 1f, 0f, 0f, 1f, 1f, 0f, 1f, 2f],
            ids);
    }

    [Fact]
    public void TextIds_AreAllZero()
    {
        float[] ids = LatentLayout.TextIds(256);

        Assert.Equal(256 * 3, ids.Length);
        Assert.All(ids, v => Assert.Equal(0f, v));
    }
}
