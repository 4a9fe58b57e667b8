using Flux.Inference.Tensors;

namespace Flux.Inference.Tests.Units;

public class ExactLengthPoolTests
{
    [Fact]
    public void Rent_GivesExactlyTheLength_AndReusesWhatWasReturned()
    {
        var pool = new ExactLengthPool<byte>();
        byte[] first = pool.Rent(1000);
        Assert.Equal(1000, first.Length);
        pool.Return(first);
        Assert.Same(first, pool.Rent(1000));
        Assert.NotSame(first, pool.Rent(1000));   // taken: a new one
        Assert.Equal(999, pool.Rent(999).Length);   // other lengths never share
    }

    [Fact]
    public void Return_KeepsAtMostMaxPerLength()
    {
        var pool = new ExactLengthPool<float>();
        var arrays = Enumerable.Range(0, ExactLengthPool<float>.MaxPerLength + 2).Select(_ => pool.Rent(16)).ToList();
        arrays.ForEach(pool.Return);
        var reused = Enumerable.Range(0, ExactLengthPool<float>.MaxPerLength + 2).Select(_ => pool.Rent(16)).ToList();
        Assert.Equal(ExactLengthPool<float>.MaxPerLength, reused.Count(r => arrays.Contains(r)));
    }

    [Fact]
    public void Rent_RefusesANonPositiveLength()
        => Assert.Throws<ArgumentOutOfRangeException>(() => new ExactLengthPool<byte>().Rent(0));
}
