using System.Diagnostics;
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

    /// <summary>Starts the real `flux` executable (built next to the tests) as a child process, standard streams redirected.</summary>
    public static Process Start(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "flux.dll"));
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start)!;
    }
}
