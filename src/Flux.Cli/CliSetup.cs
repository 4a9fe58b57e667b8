using Spectre.Console.Cli;

namespace Flux.Cli;

/// <summary>Registers every `flux` command; each command lives in its own file under Commands/.</summary>
public static class CliSetup
{
    public static void Configure(IConfigurator config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.SetApplicationName("flux");
        config.PropagateExceptions();
        // Commands are registered here, one line each.
    }
}
