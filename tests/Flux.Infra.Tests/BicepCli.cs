using System.Diagnostics;

namespace Flux.Infra.Tests;

/// <summary>Runs the real Bicep CLI; its diagnostics go to standard error.</summary>
public static class BicepCli
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    /// <summary>
    /// Skips artifact restore, which otherwise fetches the public module index from the network on
    /// every build and lint even when no registry module is referenced.
    /// </summary>
    public const string NoRestore = "--no-restore";

    public sealed record Result(int ExitCode, string StandardOutput, string StandardError);

    public static Result Run(params string[] arguments)
    {
        var start = new ProcessStartInfo(RepoPaths.BicepCli)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepoPaths.Infra,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("bicep did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', arguments)} did not finish within {Timeout}");
        }

        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }
}
