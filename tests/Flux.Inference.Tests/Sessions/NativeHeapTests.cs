using System.Globalization;
using System.Runtime.InteropServices;
using Flux.Inference.Sessions;

namespace Flux.Inference.Tests.Sessions;

/// <summary>
/// SessionCache calls <see cref="NativeHeap.ReleaseFreePages"/> after building a session: it must give back C heap
/// blocks that were freed but stayed resident, the way glibc keeps the weight copies graph optimization frees
/// (an fp16/bf16 transformer session held twice the fp32 package's memory without it; docs/benchmarks.md).
/// </summary>
[Collection(Name)]   // apart from each other: one test counts calls the other makes
public class NativeHeapTests
{
    public const string Name = "NativeHeap";
    private const int Page = 4096;

    /// <summary>
    /// Only SessionCache calls <see cref="NativeHeap.ReleaseFreePages"/> outside this class (whose other test is kept apart by
    /// the collection), so the count rises with each session built, whatever other tests build meanwhile, and never if
    /// SessionCache stops calling it.
    /// </summary>
    [Fact]
    public void BuildingASession_ReleasesTheHeapsFreePages()
    {
        var cache = new SessionCache();
        string transformer = Path.Combine(Pipeline.BuiltPackages.Directory("tiny"), "transformer", "model.onnx");

        for (int build = 0; build < 2; build++)   // released when unused, so built again
        {
            long before = NativeHeap.Requests;
            using (cache.Acquire(transformer, Pipeline.BuiltPackages.Cpu, releaseWhenUnused: true))
            {
                Assert.True(NativeHeap.Requests > before, $"build {build}: no heap release after building the session");
            }
        }
    }

    [Fact]
    public void ReleaseFreePages_AfterFreeingHeapBlocks_ReturnsTheirPages()
    {
        if (!OperatingSystem.IsLinux() || !NativeHeap.ReleaseFreePages())
        {
            return;   // only glibc has malloc_trim; elsewhere the call is a documented no-op
        }

        // Freeing a 30 MB mmapped block raises glibc's mmap threshold to 30 MB, as ONNX Runtime's first freed weight
        // copy does; the 20 MB blocks after it then come from the heap, and a 1 MB block allocated after them keeps
        // them off the heap's top, so freeing them returns nothing by itself.
        Marshal.FreeHGlobal(Touched(30 << 20));
        var blocks = Enumerable.Range(0, 16).Select(_ => Touched(20 << 20)).ToArray();
        var pin = Touched(1 << 20);   // from the heap's top (no free chunk is this large yet)
        try
        {
            foreach (var block in blocks)
            {
                Marshal.FreeHGlobal(block);
            }

            long before = RssAnon();
            Assert.True(NativeHeap.ReleaseFreePages());
            long released = before - RssAnon();
            Assert.True(released > 200 << 20, $"released {released >> 20} MB of the 320 MB freed");
        }
        finally
        {
            Marshal.FreeHGlobal(pin);
        }
    }

    private static IntPtr Touched(int bytes)
    {
        var block = Marshal.AllocHGlobal(bytes);
        for (int offset = 0; offset < bytes; offset += Page)
        {
            Marshal.WriteByte(block, offset, 1);
        }

        return block;
    }

    private static long RssAnon()
    {
        string line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("RssAnon:", StringComparison.Ordinal));
        return long.Parse(line["RssAnon:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }
}
