using Flux.Core;
using Flux.Inference.Packages;
using Flux.Inference.Sessions;
using Flux.Inference.Tensors;
using Microsoft.ML.OnnxRuntime;

namespace Flux.Inference.Stages;

/// <summary>
/// The transformer as a velocity field for the sampler: every input and the output are preallocated
/// tensors bound by name once (IOBinding); a step copies x in, sets t, runs, and copies the velocity
/// into the sampler's buffer. Nothing is allocated per evaluation.
/// </summary>
internal sealed class TransformerVelocityModel : IVelocityModel, IDisposable
{
    private readonly List<TensorBuffer> _owned = [];
    private readonly TensorBuffer _hiddenStates;
    private readonly TensorBuffer _timestep;
    private readonly TensorBuffer _velocity;
    private readonly OrtIoBinding _binding;
    private readonly SessionRunScope _scope;
    private readonly string _tensorNames;

    public TransformerVelocityModel(ModelSession session, ComponentIo io, TextConditioning conditioning, ImageSize size, ReadOnlySpan<float> guidance, CancellationToken cancellationToken)
    {
        int batch = conditioning.BatchSize;
        int tokens = size.SequenceLength;
        _binding = session.CreateBinding();
        try
        {
            _hiddenStates = Bind(io[IoContract.HiddenStates], batch, tokens, FluxConstants.PackedChannels);   // (B, L, 64)
            Bind(io[IoContract.EncoderHiddenStates], batch, conditioning.T5Length, conditioning.T5Width).Write(conditioning.T5Hidden);   // (B, T, Dt)
            Bind(io[IoContract.PooledProjections], batch, conditioning.PooledWidth).Write(conditioning.Pooled);   // (B, Dp)
            _timestep = Bind(io[IoContract.Timestep], batch);   // (B)
            Bind(io[IoContract.ImageIds], tokens, FluxConstants.PositionAxes).Write(LatentLayout.ImageIds(size));   // (L, 3)
            Bind(io[IoContract.TextIds], conditioning.T5Length, FluxConstants.PositionAxes).Write(LatentLayout.TextIds(conditioning.T5Length));   // (T, 3)
            if (io.Has(IoContract.Guidance))
            {
                Bind(io[IoContract.Guidance], batch).Write(guidance);   // (B)
            }

            var velocity = io[IoContract.Velocity];
            _velocity = Own(TensorBuffer.Allocate(velocity.ElementType, batch, tokens, FluxConstants.PackedChannels));   // (B, L, 64)
            _binding.BindOutput(velocity.Name, _velocity.Value);
            _tensorNames = string.Join(", ", io.Tensors.Values.Select(t => t.Name));
            _scope = session.BeginRuns(cancellationToken);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Transformer evaluations so far (a Heun step makes two, RK4 four).</summary>
    public int Evaluations { get; private set; }

    public void Evaluate(ReadOnlySpan<float> x, float t, Span<float> velocity)
    {
        _hiddenStates.Write(x);
        _timestep.Fill(t);
        _scope.Run(_binding, _tensorNames);
        _velocity.Read(velocity);
        Evaluations++;
    }

    public void Dispose()
    {
        _scope?.Dispose();
        _binding.Dispose();
        foreach (var buffer in _owned)
        {
            buffer.Dispose();
        }
    }

    private TensorBuffer Bind(TensorBinding input, params long[] shape)
    {
        var buffer = Own(TensorBuffer.Allocate(input.ElementType, shape));
        _binding.BindInput(input.Name, buffer.Value);
        return buffer;
    }

    private TensorBuffer Own(TensorBuffer buffer)
    {
        _owned.Add(buffer);
        return buffer;
    }
}
