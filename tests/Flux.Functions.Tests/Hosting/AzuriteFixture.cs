namespace Flux.Functions.Tests.Hosting;

/// <summary>One Azurite (see <see cref="AzuriteProcess"/>) shared by the tests of a collection.</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private AzuriteProcess? _azurite;

    public string ConnectionString => _azurite?.ConnectionString ?? throw new InvalidOperationException("Azurite is not started");

    public async Task InitializeAsync() => _azurite = await AzuriteProcess.StartAsync();

    public async Task DisposeAsync()
    {
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }
    }
}

internal sealed partial class FluxTestService
{
    public static Task<FluxTestService> StartAsync(
        AzuriteFixture azurite, Flux.Functions.Rendering.IImageRenderer renderer, IDictionary<string, string?>? settings = null,
        Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null)
        => StartAsync(azurite.ConnectionString, renderer, settings, services);
}

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
