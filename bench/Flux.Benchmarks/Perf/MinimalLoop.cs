using System.Numerics.Tensors;
using Flux.Core;
using Flux.Inference;
using Flux.Inference.Packages;
using Flux.Inference.Sessions;
using Microsoft.ML.OnnxRuntime;

namespace Flux.Benchmarks.Perf;

/// <summary>
/// The floor for pipeline overhead: the pipeline's own (shared, resident) sessions driven by a hand-written
/// loop with every tensor preallocated over managed arrays and bound once; the encoders' outputs are the
/// transformer's inputs (no copy), the transformer reads x and writes v in place, the Euler update is one
/// TensorPrimitives call. Tokenization happens once in the constructor; no RGB conversion, no PNG.
/// </summary>
internal sealed class MinimalLoop : IDisposable
{
    private readonly List<IDisposable> _owned = [];
    private readonly ImageSize _size;
    private readonly double[] _timesteps;
    private readonly float[] _x;   // (1, L, 64)
    private readonly float[] _velocity;   // (1, L, 64)
    private readonly float[] _timestep = new float[1];   // (1)
    private readonly float[] _latent;   // (1, 16, H/8, W/8)
    private readonly float _vaeScale;
    private readonly float _vaeShift;
    private readonly (SessionRunScope Scope, OrtIoBinding Binding) _clip;
    private readonly (SessionRunScope Scope, OrtIoBinding Binding) _t5;
    private readonly (SessionRunScope Scope, OrtIoBinding Binding) _transformer;
    private readonly (SessionRunScope Scope, OrtIoBinding Binding) _vae;

    public MinimalLoop(InferenceOptions options, ModelPackage package, ImageSize size, int steps, long[] clipIds, long[] t5Ids, float guidance)
    {
        var io = package.Io;
        _size = size;
        _timesteps = Schedule.Flux(steps, size.SequenceLength, package.Shift);
        _vaeScale = package.VaeScale;
        _vaeShift = package.VaeShift;
        int t5Length = t5Ids.Length;
        int t5Width = io.Dimensions["Dt"] ?? throw new InvalidOperationException("Dt unknown");
        int pooledWidth = io.Dimensions["Dp"] ?? throw new InvalidOperationException("Dp unknown");
        _x = new float[size.PackedLength];
        _velocity = new float[size.PackedLength];
        _latent = new float[size.LatentLength];

        var pooled = Tensor(new float[pooledWidth], 1, pooledWidth);   // (1, Dp)
        var hidden = Tensor(new float[t5Length * t5Width], 1, t5Length, t5Width);   // (1, T, Dt)

        _clip = Bind(options, io.Clip, (IoContract.Ids, Tensor(clipIds, 1, clipIds.Length)), (IoContract.Pooled, pooled));
        _t5 = Bind(options, io.T5, (IoContract.Ids, Tensor(t5Ids, 1, t5Length)), (IoContract.Hidden, hidden));
        var transformerTensors = new List<(string, OrtValue)>
        {
            (IoContract.HiddenStates, Tensor(_x, 1, size.SequenceLength, FluxConstants.PackedChannels)),
            (IoContract.EncoderHiddenStates, hidden),
            (IoContract.PooledProjections, pooled),
            (IoContract.Timestep, Tensor(_timestep, 1)),
            (IoContract.ImageIds, Tensor(LatentLayout.ImageIds(size), size.SequenceLength, FluxConstants.PositionAxes)),
            (IoContract.TextIds, Tensor(LatentLayout.TextIds(t5Length), t5Length, FluxConstants.PositionAxes)),
            (IoContract.Velocity, Tensor(_velocity, 1, size.SequenceLength, FluxConstants.PackedChannels)),
        };
        if (io.Transformer.Has(IoContract.Guidance))
        {
            transformerTensors.Add((IoContract.Guidance, Tensor(new[] { guidance }, 1)));
        }

        _transformer = Bind(options, io.Transformer, [.. transformerTensors]);
        _vae = Bind(options, io.Vae,
            (IoContract.Latent, Tensor(_latent, 1, FluxConstants.LatentChannels, size.LatentHeight, size.LatentWidth)),
            (IoContract.Image, Tensor(new float[3 * size.Height * size.Width], 1, 3, size.Height, size.Width)));
    }

    /// <summary>One image: encoders, noise, Euler steps, VAE.</summary>
    public void Run(ulong seed)
    {
        _clip.Scope.Run(_clip.Binding, "clip");
        _t5.Scope.Run(_t5.Binding, "t5");
        PhiloxNoise.Fill(seed, 0, _latent);
        LatentLayout.Pack(_latent, _x, _size);
        for (int i = 0; i + 1 < _timesteps.Length; i++)
        {
            _timestep[0] = (float)_timesteps[i];
            _transformer.Scope.Run(_transformer.Binding, "transformer");
            TensorPrimitives.MultiplyAdd(_velocity, (float)(_timesteps[i + 1] - _timesteps[i]), _x, _x);   // x <- x + (t_next - t_cur) v
        }

        LatentLayout.Unpack(_x, _latent, _size);
        VaeScaling.ToDecoderInput(_latent, _latent, _vaeScale, _vaeShift);
        _vae.Scope.Run(_vae.Binding, "vae");
    }

    public void Dispose()
    {
        for (int i = _owned.Count - 1; i >= 0; i--)
        {
            _owned[i].Dispose();
        }
    }

    private OrtValue Tensor<T>(T[] data, params long[] shape)
        where T : unmanaged
    {
        var value = OrtValue.CreateTensorValueFromMemory(data, shape);
        _owned.Add(value);
        return value;
    }

    private (SessionRunScope, OrtIoBinding) Bind(InferenceOptions options, ComponentIo io, params (string Role, OrtValue Value)[] tensors)
    {
        var lease = SessionCache.Shared.Acquire(io.ModelFile, options);
        _owned.Add(lease);
        var binding = lease.Session.CreateBinding();
        _owned.Add(binding);
        foreach (var (role, value) in tensors)
        {
            var tensor = io[role];
            if (tensor.IsInput)
            {
                binding.BindInput(tensor.Name, value);
            }
            else
            {
                binding.BindOutput(tensor.Name, value);
            }
        }

        var scope = lease.Session.BeginRuns(CancellationToken.None);
        _owned.Add(scope);
        return (scope, binding);
    }
}
