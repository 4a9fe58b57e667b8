using Flux.Functions.Rendering;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Flux.Functions.Tests.Hosting;

/// <summary>
/// The service as the Functions app wires it (the host Program.cs builds, see <see cref="AppHost"/>), against
/// Azurite, with its orchestrations and activities running on the in-process Durable Task host.
/// </summary>
internal sealed partial class FluxTestService : IAsyncDisposable
{
    private readonly IHost _app;
    private readonly DurableTaskTestHost _host;

    private FluxTestService(IHost app, DurableTaskTestHost host)
    {
        _app = app;
        _host = host;
    }

    /// <summary>The app's services (the host's container).</summary>
    public IServiceProvider Services => _app.Services;

    public DurableTaskClient Client => _host.Client;

    public static async Task<FluxTestService> StartAsync(
        string storageConnectionString, IImageRenderer renderer, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["AzureWebJobsStorage"] = storageConnectionString,
            ["Flux:MaxParallelImages"] = "3",
            ["Flux:DenoiseChunkSteps"] = "4",
            ["Flux:CheckpointEverySteps"] = "2",
            ["Flux:ActivityFirstRetryInterval"] = "00:00:00.050",
            ["Flux:EventsQueue"] = $"flux-events-{Guid.NewGuid():N}"[..24], // each service reads only its own events
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var app = AppHost.Build(values, s =>
        {
            s.AddSingleton(renderer);
            services?.Invoke(s);
        });
        var provider = app.Services;
        // The durable host logs through the app's logger factory, so a test's logger provider sees orchestrator logs too.
        var host = await DurableTaskTestHost.StartAsync(
            registry => FluxTaskRegistry.Register(registry, provider),
            new DurableTaskTestHostOptions
            {
                LoggerFactory = provider.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>(),
                Port = LoopbackPorts.FreeBelowEphemeralRange(),
            });
        return new FluxTestService(app, host);
    }

    public T Get<T>()
        where T : notnull
        => Services.GetRequiredService<T>();

    /// <summary>A function class as the Functions host makes it: constructor arguments from DI.</summary>
    public T Create<T>()
        => ActivatorUtilities.CreateInstance<T>(Services);

    /// <summary>Waits for the instance to finish (test timeout as a guard against hangs).</summary>
    public async Task<OrchestrationMetadata> WaitAsync(string instanceId, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        return await Client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, cts.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        if (_app is IAsyncDisposable app)
        {
            await app.DisposeAsync();
        }
        else
        {
            _app.Dispose();
        }
    }
}
