using System.Buffers.Binary;
using Flux.Core;

namespace Flux.Core.Tests;

public class CheckpointTests
{
    private static readonly ImageSize Size = ImageSize.Create(64, 48);   // L = 12, 768 floats
    private static readonly int[] Shape = [1, Size.SequenceLength, 64];

    public static TheoryData<string> SamplerNames => ["euler", "heun", "rk4"];

    private static GaussianFlowField Field()
    {
        int n = Size.PackedLength;
        return new GaussianFlowField(
            Enumerable.Range(0, n).Select(i => Math.Sin(i)).ToArray(),
            Enumerable.Range(0, n).Select(i => 0.2 + (0.1 * (i % 5))).ToArray());
    }

    private static byte[] Bytes(SamplerCheckpoint checkpoint)
    {
        using var stream = new MemoryStream();
        checkpoint.WriteTo(stream);
        return stream.ToArray();
    }

    private static SamplerCheckpoint Read(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes);
        return SamplerCheckpoint.ReadFrom(stream);
    }

    private const int PayloadEnd = 20 + (4 * 3) + 24 + (768 * 4);   // header of rank 3, then the payload
    private const int ChecksumLength = 8;
    private const int PreviewLength = 12 * 4 * 3;                     // 12 tokens of 4 latent cells, RGB each

    private static SamplerCheckpoint Sample(int stepIndex = 3, int totalSteps = 8)
        => new(Shape, stepIndex, totalSteps, 0xDEADBEEF12345678, TestData.Normals(30, Size.PackedLength));

    private static SamplerCheckpoint WithPreview()
    {
        var plain = Sample();
        var preview = new byte[LatentPreview.RgbLength(Size)];
        LatentPreview.ToRgb(plain.Latents, Size, preview);
        return new SamplerCheckpoint(Shape, 3, 8, 0xDEADBEEF12345678, plain.Latents) { PreviewRgb = preview };
    }

    [Theory]
    [MemberData(nameof(SamplerNames))]
    public void Resume_AfterCheckpointAtStep3_IsBitIdenticalToAnUninterruptedRun(string name)
    {
        ISampler sampler = Samplers.Parse(name);
        double[] timesteps = Schedule.Flux(8, Size.SequenceLength, ScheduleShift.Dynamic);
        ulong fingerprint = Schedule.Fingerprint(timesteps);
        float[] uninterrupted = TestData.Normals(31, Size.PackedLength);
        float[] first = (float[])uninterrupted.Clone();
        Denoiser.Run(Field(), uninterrupted, timesteps, sampler, 0, 8, null, CancellationToken.None);

        Denoiser.Run(Field(), first, timesteps, sampler, 0, 3, null, CancellationToken.None);
        byte[] saved = Bytes(new SamplerCheckpoint(Shape, 3, 8, fingerprint, first));
        SamplerCheckpoint resumed = Read(saved);
        resumed.EnsureCompatible(Shape, timesteps.Length - 1, fingerprint);
        Denoiser.Run(Field(), resumed.Latents, timesteps, sampler, resumed.Step, 8, null, CancellationToken.None);

        Assert.Equal(
            uninterrupted.Select(BitConverter.SingleToInt32Bits),
            resumed.Latents.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void RoundTrip_KeepsEveryField()
    {
        SamplerCheckpoint original = Sample();

        SamplerCheckpoint read = Read(Bytes(original));

        Assert.Equal(original.Shape, read.Shape);
        Assert.Equal(CheckpointElementType.Float32, read.ElementType);
        Assert.Equal(3, read.Step);
        Assert.Equal(8, read.TotalSteps);
        Assert.Equal(0xDEADBEEF12345678, read.ScheduleFingerprint);
        Assert.Equal(original.Latents, read.Latents);
    }

    [Theory]
    [InlineData(0)]      // empty
    [InlineData(6)]      // inside the magic
    [InlineData(30)]     // inside the shape
    [InlineData(100)]    // inside the payload
    [InlineData(-3)]     // inside the checksum
    public void Truncated_IsRejectedAsTruncated(int keep)
    {
        byte[] bytes = Bytes(Sample());
        int length = keep >= 0 ? keep : bytes.Length + keep;

        var error = Assert.Throws<CheckpointException>(() => Read(bytes[..length]));

        Assert.Equal(CheckpointFailure.Truncated, error.Failure);
        Assert.StartsWith("checkpoint is truncated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BadMagic_IsRejectedNamingTheMagic()
    {
        byte[] bytes = Bytes(Sample());
        "PNG\r\n\x1a\n\0"u8.CopyTo(bytes);

        var error = Assert.Throws<CheckpointException>(() => Read(bytes));

        Assert.Equal(CheckpointFailure.BadMagic, error.Failure);
        Assert.Contains("instead of the magic 'FLUXCKPT'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NewerVersion_IsRejectedAsANewerBuilds_NamingTheVersionsRead()
    {
        byte[] bytes = Bytes(Sample());
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), 3);

        var error = Assert.Throws<CheckpointException>(() => Read(bytes));

        Assert.Equal(CheckpointFailure.NewerVersion, error.Failure);
        Assert.Equal("checkpoint version 3 was written by a newer build; this build reads versions 1 and 2", error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void VersionBelowTheFirst_IsUnsupported(int version)
    {
        byte[] bytes = Bytes(Sample());
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), version);

        var error = Assert.Throws<CheckpointException>(() => Read(bytes));

        Assert.Equal(CheckpointFailure.UnsupportedVersion, error.Failure);
        Assert.Equal($"checkpoint version {version} is not supported; this build reads versions 1 and 2", error.Message);
    }

    [Fact]
    public void WithoutPreview_IsWrittenAsVersion1_AndReadsWithoutOne()
    {
        byte[] bytes = Bytes(Sample());

        Assert.Equal(1, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8)));
        Assert.Equal(PayloadEnd + ChecksumLength, bytes.Length);   // exactly the version 1 layout older builds read
        Assert.Null(Read(bytes).PreviewRgb);
    }

    [Fact]
    public void RoundTrip_WithPreview_IsVersion2_AndKeepsThePreviewBytes()
    {
        SamplerCheckpoint original = WithPreview();

        byte[] bytes = Bytes(original);
        SamplerCheckpoint read = Read(bytes);

        Assert.Equal(2, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8)));
        Assert.Equal(PayloadEnd + 8 + PreviewLength + ChecksumLength, bytes.Length);
        Assert.Equal(PreviewLength, BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(PayloadEnd)));
        Assert.Equal(original.PreviewRgb, read.PreviewRgb);
        Assert.Equal(original.Latents, read.Latents);
        Assert.Equal((3, 8, 0xDEADBEEF12345678), (read.Step, read.TotalSteps, read.ScheduleFingerprint));
    }

    [Theory]
    [InlineData(0)]      // a preview byte
    [InlineData(143)]    // the last preview byte
    public void WithPreview_FlippedPreviewByte_IsRejectedAsChecksumMismatch(int previewOffset)
    {
        byte[] bytes = Bytes(WithPreview());
        bytes[PayloadEnd + 8 + previewOffset] ^= 0x01;

        var error = Assert.Throws<CheckpointException>(() => Read(bytes));

        Assert.Equal(CheckpointFailure.ChecksumMismatch, error.Failure);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(143L)]
    [InlineData(145L)]
    [InlineData(long.MaxValue)]   // must be refused before anything is allocated
    [InlineData(-1L)]
    public void WithPreview_LengthOtherThanTheShapes_IsRejectedAsMalformed(long length)
    {
        byte[] bytes = Bytes(WithPreview());
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(PayloadEnd), length);

        var error = Assert.Throws<CheckpointException>(() => Read(bytes));

        Assert.Equal(CheckpointFailure.Malformed, error.Failure);
        Assert.Equal($"checkpoint preview length {length} bytes does not match shape (1, 12, 64) (one RGB pixel per latent cell: 144 bytes)", error.Message);
    }

    [Theory]
    [InlineData(4)]      // inside the preview length
    [InlineData(50)]     // inside the preview
    public void WithPreview_Truncated_IsRejectedAsTruncated(int keepAfterPayload)
    {
        byte[] bytes = Bytes(WithPreview());

        var error = Assert.Throws<CheckpointException>(() => Read(bytes[..(PayloadEnd + keepAfterPayload)]));

        Assert.Equal(CheckpointFailure.Truncated, error.Failure);
    }

    [Fact]
    public void Version1File_WithVersionChangedTo2_IsRejected()
    {
        byte[] bytes = Bytes(Sample());
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), 2);   // the checksum now reads as a preview length

        var error = Assert.Throws<CheckpointException>(() => Read(bytes));

        Assert.Equal(CheckpointFailure.Malformed, error.Failure);
    }

    [Fact]
    public void Constructor_RejectsAPreviewThatDoesNotFitTheShape()
    {
        float[] latents = Sample().Latents;

        var error = Assert.Throws<ArgumentException>(() => new SamplerCheckpoint(Shape, 3, 8, 0, latents) { PreviewRgb = new byte[143] });

        Assert.Contains("preview holds 143 bytes but shape (1, 12, 64) needs 144 (3 per latent cell)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Size_At1024x1024_GrowsByThePreviewOnly_UnderFivePercent()
    {
        var size = ImageSize.Create(1024, 1024);   // L = 4096 tokens of 64: 1 MiB of float32
        var latents = new float[size.PackedLength];
        var plain = new SamplerCheckpoint([1, size.SequenceLength, 64], 1, 4, 0, latents);
        var previewed = new SamplerCheckpoint([1, size.SequenceLength, 64], 1, 4, 0, latents) { PreviewRgb = new byte[LatentPreview.RgbLength(size)] };

        int before = Bytes(plain).Length, after = Bytes(previewed).Length;

        Assert.Equal(56 + (4096 * 64 * 4) + 8, before);      // header, payload, checksum: 1,048,640
        Assert.Equal(before + 8 + (128 * 128 * 3), after);    // + length field + (H/8, W/8, 3) bytes: 1,097,800 (+4.7 %)
        Assert.True(after < before * 1.05);
    }

    [Theory]
    [InlineData(200)]   // a payload byte
    [InlineData(36)]    // the total steps (a header field)
    public void FlippedByte_IsRejectedAsChecksumMismatch(int offset)
    {
        byte[] bytes = Bytes(Sample());
        bytes[offset] ^= 0x10;

        var error = Assert.Throws<CheckpointException>(() => Read(bytes));

        Assert.Equal(CheckpointFailure.ChecksumMismatch, error.Failure);
        Assert.Contains("checksum mismatch", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownElementType_IsRejectedNamingTheAllowedType()
    {
        byte[] bytes = Bytes(Sample());
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(12), 2);

        var error = Assert.Throws<CheckpointException>(() => Read(bytes));

        Assert.Equal(CheckpointFailure.Malformed, error.Failure);
        Assert.Equal("checkpoint element type 2 is not supported; allowed: 1 (float32)", error.Message);
    }

    [Fact]
    public void ShapeMismatch_IsRejectedNamingBothShapes()
    {
        var error = Assert.Throws<CheckpointException>(() => Sample().EnsureCompatible([1, 16, 64], 8, 0xDEADBEEF12345678));

        Assert.Equal(CheckpointFailure.ShapeMismatch, error.Failure);
        Assert.Equal("checkpoint shape (1, 12, 64) does not match the run's shape (1, 16, 64)", error.Message);
    }

    [Fact]
    public void TotalStepsMismatch_IsRejectedNamingBothCounts()
    {
        var error = Assert.Throws<CheckpointException>(() => Sample().EnsureCompatible(Shape, 28, 0xDEADBEEF12345678));

        Assert.Equal(CheckpointFailure.TotalStepsMismatch, error.Failure);
        Assert.Equal("checkpoint was written for 8 total steps but the run has 28", error.Message);
    }

    [Fact]
    public void ScheduleMismatch_IsRejectedNamingBothFingerprints()
    {
        var error = Assert.Throws<CheckpointException>(() => Sample().EnsureCompatible(Shape, 8, 0x1));

        Assert.Equal(CheckpointFailure.ScheduleMismatch, error.Failure);
        Assert.Contains("deadbeef12345678", error.Message, StringComparison.Ordinal);
        Assert.Contains("0000000000000001", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_RejectsLatentsThatDoNotFitTheShape()
    {
        var error = Assert.Throws<ArgumentException>(() => new SamplerCheckpoint([1, 12, 64], 0, 4, 0, new float[10]));

        Assert.Contains("latents hold 10 floats but shape (1, 12, 64) needs 768", error.Message, StringComparison.Ordinal);
    }
}
