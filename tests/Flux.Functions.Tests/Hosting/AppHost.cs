using Flux.Functions;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Flux.Functions.Tests.Hosting;

/// <summary>
/// The app's own host, built by the method Program.cs calls (<see cref="FluxApplication.ConfigureFlux"/>), over
/// in-memory settings. It is built, not started: starting would connect to a Functions host, which tests have not.
/// </summary>
internal static class AppHost
{
    /// <param name="overrides">Registered before the app's, so they replace its defaults (the app registers with TryAdd).</param>
    public static IHost Build(IDictionary<string, string?> settings, Action<IServiceCollection>? overrides = null)
    {
        var builder = FunctionsApplication.CreateBuilder([]);
        builder.Configuration.Sources.Clear(); // no environment variables or local.settings.json of the machine
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            // What the Functions host passes a worker it starts; nothing connects to it, as the host is not started.
            ["Functions:Worker:HostEndpoint"] = "http://127.0.0.1:9",
            ["Functions:Worker:WorkerId"] = "test-worker",
            ["Functions:Worker:GrpcMaxMessageLength"] = "2147483647",
        });
        builder.Configuration.AddInMemoryCollection(settings);
        overrides?.Invoke(builder.Services);
        builder.ConfigureFlux();
        return builder.Build();
    }
}
