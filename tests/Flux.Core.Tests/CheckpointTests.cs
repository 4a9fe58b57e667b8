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

    private static SamplerCheckpoint Sample(int stepIndex = 3, int totalSteps = 8)
        => new(Shape, stepIndex, totalSteps, 0xDEADBEEF12345678, TestData.Normals(30, Size.PackedLength));

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
    public void UnknownVersion_IsRejectedNamingBothVersions()
    {
        byte[] bytes = Bytes(Sample());
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), 2);

        var error = Assert.Throws<CheckpointException>(() => Read(bytes));

        Assert.Equal(CheckpointFailure.UnsupportedVersion, error.Failure);
        Assert.Equal("checkpoint version 2 is not supported; this build reads version 1", error.Message);
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
