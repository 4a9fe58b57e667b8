using Spectre.Console.Cli.Testing;
using Spectre.Console.Testing;

namespace Flux.Cli.Tests;

/// <summary>Runs `flux` in-process as the real app is configured, capturing stdout and stderr.</summary>
internal static class CliRunner
{
    public static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        var errors = new TestConsole();
        var tester = new CommandAppTester();
        tester.Configure(config => CliSetup.Configure(config, errors));
        CommandAppResult result = tester.Run(CliSetup.PrepareArguments(args));
        return (result.ExitCode, result.Output, errors.Output.Trim());
    }
}
