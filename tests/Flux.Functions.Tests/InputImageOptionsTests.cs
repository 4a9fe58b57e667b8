using Flux.Inference.Imaging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Flux.Functions.Tests;

/// <summary>Flux:MaxInputImageBytes and Flux:MaxInputImagePixels reach the decoder's limits and are range-checked at start.</summary>
public sealed class InputImageOptionsTests
{
    /// <summary>FluxOptions as the app binds and validates them (throws OptionsValidationException).</summary>
    internal static FluxOptions Bind(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var services = new ServiceCollection().AddLogging().AddFluxService(configuration).BuildServiceProvider();
        return services.GetRequiredService<IOptions<FluxOptions>>().Value;
    }

    [Fact]
    public void Defaults_AreTheDecodersDefaults()
        => Assert.Equal(InputImageLimits.Default, Bind([]).InputImageLimits);

    [Fact]
    public void Settings_BecomeTheDecodersLimits()
    {
        var options = Bind(new() { ["Flux:MaxInputImageBytes"] = "2000000", ["Flux:MaxInputImagePixels"] = "1048576" });

        Assert.Equal(new InputImageLimits(2_000_000, 1_048_576), options.InputImageLimits);
    }

    [Theory]
    [InlineData("Flux:MaxInputImageBytes", "100")]
    [InlineData("Flux:MaxInputImageBytes", "1000000000")]
    [InlineData("Flux:MaxInputImagePixels", "0")]
    [InlineData("Flux:MaxInputImagePixels", "1000000000")]
    public void OutOfRangeLimits_FailAtStart(string key, string value)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Bind(new() { [key] = value }));

        Assert.Contains(key.Split(':')[1], error.Message, StringComparison.Ordinal);
    }
}
