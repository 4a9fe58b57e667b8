using System.Globalization;
using System.Runtime.InteropServices;

namespace Flux.Inference.Sessions;

/// <summary>Whether the CUDA execution provider can run here, and if not, the first reason why.</summary>
/// <param name="Usable">True when the provider's libraries load and the device exists.</param>
/// <param name="Reason">Why not ("libcudnn.so.9 is missing ..."), or the device it found.</param>
/// <param name="DeviceMemoryBytes">The device's total memory, when usable.</param>
public sealed record CudaAvailability(bool Usable, string Reason, long? DeviceMemoryBytes);

/// <summary>
/// Checks, before any session is created, what ONNX Runtime's CUDA provider needs: the GPU build of ONNX Runtime, an
/// x64 Linux or Windows process, the NVIDIA driver and the CUDA 13 / cuDNN 9 user-space libraries its provider library
/// links (the NEEDED entries of libonnxruntime_providers_cuda.so 1.32, plus cuDNN and cuFFT, which it loads later), and
/// the device itself (driver API: cuInit, cuDeviceGetCount, cuDeviceTotalMem). Each library is tried with
/// <see cref="NativeLibrary.TryLoad(string, out IntPtr)"/>, so the message names the first one missing instead of
/// ONNX Runtime's generic provider-load failure.
/// </summary>
public static class CudaProbe
{
    /// <summary>Driver first (no driver: no GPU), then the runtime libraries in the order the provider loads them.</summary>
    public static IReadOnlyList<string> RequiredLibraries { get; } = OperatingSystem.IsWindows()
        ? ["nvcuda.dll", "cudart64_13.dll", "cublasLt64_13.dll", "cublas64_13.dll", "curand64_10.dll", "cufft64_12.dll", "cudnn64_9.dll"]
        : ["libcuda.so.1", "libcudart.so.13", "libcublasLt.so.13", "libcublas.so.13", "libcurand.so.10", "libcufft.so.12", "libcudnn.so.9"];

    [UnmanagedFunctionPointer(CallingConvention.Winapi)]
    private delegate int CuInit(uint flags);

    [UnmanagedFunctionPointer(CallingConvention.Winapi)]
    private delegate int CuDeviceGetCount(out int count);

    [UnmanagedFunctionPointer(CallingConvention.Winapi)]
    private delegate int CuDeviceGet(out int device, int ordinal);

    [UnmanagedFunctionPointer(CallingConvention.Winapi)]
    private delegate int CuDeviceTotalMem(out nuint bytes, int device);

    /// <summary>Whether CUDA device <paramref name="deviceId"/> can run sessions.</summary>
    public static CudaAvailability Check(int deviceId)
    {
        if (!OnnxRuntimeBuild.HasCuda)
        {
            return No($"this program links the CPU build of ONNX Runtime {OnnxRuntimeBuild.Version}; build it with -p:OnnxRuntimeFlavor=Cuda for the CUDA provider");
        }

        if (RuntimeInformation.ProcessArchitecture != Architecture.X64 || !(OperatingSystem.IsLinux() || OperatingSystem.IsWindows()))
        {
            return No($"ONNX Runtime's CUDA provider runs on x64 Linux and Windows only, not {RuntimeInformation.RuntimeIdentifier}");
        }

        if (MissingLibrary(RequiredLibraries) is { } missing)
        {
            return No(missing == RequiredLibraries[0]
                ? $"{missing} (the NVIDIA driver) is missing: no GPU driver is installed"
                : $"{missing} is missing: the CUDA provider needs the CUDA 13 and cuDNN 9 libraries on the library path");
        }

        return Device(deviceId);
    }

    /// <summary>The first of <paramref name="libraries"/> that cannot be loaded, or null when all load.</summary>
    public static string? MissingLibrary(IEnumerable<string> libraries)
    {
        ArgumentNullException.ThrowIfNull(libraries);
        foreach (string library in libraries)
        {
            if (!NativeLibrary.TryLoad(library, out IntPtr handle))
            {
                return library;
            }

            NativeLibrary.Free(handle);
        }

        return null;
    }

    private static CudaAvailability Device(int deviceId)
    {
        IntPtr driver = NativeLibrary.Load(RequiredLibraries[0]);
        try
        {
            var init = Function<CuInit>(driver, "cuInit");
            var count = Function<CuDeviceGetCount>(driver, "cuDeviceGetCount");
            var get = Function<CuDeviceGet>(driver, "cuDeviceGet");
            var totalMemory = Function<CuDeviceTotalMem>(driver, "cuDeviceTotalMem_v2");
            if (init(0) is var initError and not 0)
            {
                return No(Invariant($"the NVIDIA driver found no usable GPU (cuInit error {initError})"));
            }

            int countError = count(out int devices);
            if (countError != 0 || devices == 0)
            {
                return No(Invariant($"no CUDA GPU is present (cuDeviceGetCount: {devices} devices, error {countError})"));
            }

            if (deviceId >= devices)
            {
                return No(Invariant($"device {deviceId} does not exist: this machine has {devices} CUDA device(s), 0 to {devices - 1}"));
            }

            long? memory = get(out int device, deviceId) == 0 && totalMemory(out nuint bytes, device) == 0 ? (long)bytes : null;
            return new CudaAvailability(true, Invariant($"CUDA device {deviceId}"), memory);
        }
        finally
        {
            NativeLibrary.Free(driver);
        }
    }

    private static T Function<T>(IntPtr library, string name)
        where T : Delegate => Marshal.GetDelegateForFunctionPointer<T>(NativeLibrary.GetExport(library, name));

    private static CudaAvailability No(string reason) => new(false, reason, null);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
