using Flux.Core;
using Flux.Inference.Packages;
using Flux.Inference.Sessions;
using Flux.Inference.Tensors;
using Microsoft.ML.OnnxRuntime;

namespace Flux.Inference.Stages;

/// <summary>
/// The transformer as a velocity field for the sampler: every input and the output are preallocated
/// tensors bound by name once (IOBinding); a step copies x in, sets t, runs, and copies the velocity
/// into the sampler's buffer. Nothing is allocated per evaluation on the CPU.
/// </summary>
/// <remarks>
/// ONNX Runtime copies a bound input that lives on another device than the one the model runs on once,
/// when it is bound, not at run time (OrtIoBinding's documentation), so later writes to our CPU buffers
/// would not reach a GPU. Inputs are therefore written before they are bound, and on a non-CPU provider
/// the two that change every evaluation (x and t) are bound again after they change. On the CPU the
/// binding refers to our buffers and nothing is rebound. A session that replays a CUDA graph
/// (<see cref="ModelSession.CapturesCudaGraph"/>) copies bound host inputs into its captured device buffers only
/// when the whole input set is bound again (onnxruntime issue 29782), so there every input is cleared and bound
/// before each run, inside the device gate; the graph also fixes the shapes, which the session checks here.
/// </remarks>
internal sealed class TransformerVelocityModel : IVelocityModel, IDisposable
{
    private const string CpuProvider = "CPU";
    private readonly List<TensorBuffer> _owned = [];
    private readonly TensorBuffer _hiddenStates;
    private readonly TensorBuffer _timestep;
    private readonly TensorBuffer _velocity;
    private readonly OrtIoBinding _binding;
    private readonly SessionRunScope _scope;
    private readonly string _tensorNames;
    private readonly string _hiddenStatesName;
    private readonly string _timestepName;
    private readonly bool _rebindChangingInputs;
    private readonly List<(string Name, OrtValue Value)> _inputs = [];
    private readonly Action<OrtIoBinding>? _rebindAllInputs;

    /// <param name="rebindChangingInputs">Bind x and t again before every run; null: only when the session is not on the CPU.</param>
    public TransformerVelocityModel(ModelSession session, ComponentIo io, TextConditioning conditioning, ImageSize size, ReadOnlySpan<float> guidance, CancellationToken cancellationToken, bool? rebindChangingInputs = null)
    {
        int batch = conditioning.BatchSize;
        int tokens = size.SequenceLength;
        _rebindChangingInputs = rebindChangingInputs ?? !string.Equals(session.Provider, CpuProvider, StringComparison.Ordinal);
        _hiddenStatesName = io[IoContract.HiddenStates].Name;
        _timestepName = io[IoContract.Timestep].Name;
        _binding = session.CreateBinding();
        try
        {
            _hiddenStates = Bind(io[IoContract.HiddenStates], [], batch, tokens, FluxConstants.PackedChannels);   // (B, L, 64)
            Bind(io[IoContract.EncoderHiddenStates], conditioning.T5Hidden, batch, conditioning.T5Length, conditioning.T5Width);   // (B, T, Dt)
            Bind(io[IoContract.PooledProjections], conditioning.Pooled, batch, conditioning.PooledWidth);   // (B, Dp)
            _timestep = Bind(io[IoContract.Timestep], [], batch);   // (B)
            BindPositions(io[IoContract.ImageIds], LatentLayout.ImageIds(size), batch);   // (L, 3) or (B, L, 3)
            BindPositions(io[IoContract.TextIds], LatentLayout.TextIds(conditioning.T5Length), batch);   // (T, 3) or (B, T, 3)
            if (io.Has(IoContract.Guidance))
            {
                Bind(io[IoContract.Guidance], guidance, batch);   // (B)
            }

            var velocity = io[IoContract.Velocity];
            _velocity = Own(TensorBuffer.Allocate(velocity.ElementType, batch, tokens, FluxConstants.PackedChannels));   // (B, L, 64)
            _binding.BindOutput(velocity.Name, _velocity.Value);
            _tensorNames = string.Join(", ", io.Tensors.Values.Select(t => t.Name));
            if (session.CapturesCudaGraph)
            {
                session.RequireCapturedShape(string.Join(", ", _inputs.Select(i => $"{i.Name} ({string.Join(", ", i.Value.GetTensorTypeAndShape().Shape)})")));
                _rebindChangingInputs = false;
                _rebindAllInputs = RebindAllInputs;
            }

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
        if (_rebindChangingInputs)
        {
            _binding.BindInput(_hiddenStatesName, _hiddenStates.Value);
            _binding.BindInput(_timestepName, _timestep.Value);
        }

        _scope.Run(_binding, _tensorNames, _rebindAllInputs);
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

    /// <summary>Allocates, writes <paramref name="values"/> (none: left for the first evaluation) and only then binds.</summary>
    private TensorBuffer Bind(TensorBinding input, ReadOnlySpan<float> values, params long[] shape)
    {
        var buffer = Own(TensorBuffer.Allocate(input.ElementType, shape));
        if (!values.IsEmpty)
        {
            buffer.Write(values);
        }

        _binding.BindInput(input.Name, buffer.Value);
        _inputs.Add((input.Name, buffer.Value));
        return buffer;
    }

    private void RebindAllInputs(OrtIoBinding binding)
    {
        binding.ClearBoundInputs();
        foreach (var (name, value) in _inputs)
        {
            binding.BindInput(name, value);
        }
    }

    /// <summary>
    /// Position ids in the rank the session declares: (N, 3), or (B, N, 3) with every item's ids the same, as
    /// diffusers before 0.31 exported them (its FluxTransformer2DModel then reads item 0).
    /// </summary>
    private void BindPositions(TensorBinding input, float[] ids, int batch)
    {
        int positions = ids.Length / FluxConstants.PositionAxes;
        if (input.Dimensions.Count != 3)
        {
            Bind(input, ids, positions, FluxConstants.PositionAxes);   // (N, 3)
            return;
        }

        var batched = new float[batch * ids.Length];
        for (int item = 0; item < batch; item++)
        {
            ids.CopyTo(batched.AsSpan(item * ids.Length));
        }

        Bind(input, batched, batch, positions, FluxConstants.PositionAxes);   // (B, N, 3)
    }

    private TensorBuffer Own(TensorBuffer buffer)
    {
        _owned.Add(buffer);
        return buffer;
    }
}
