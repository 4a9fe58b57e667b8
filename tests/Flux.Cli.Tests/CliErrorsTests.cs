using Spectre.Console.Testing;

namespace Flux.Cli.Tests;

public class CliErrorsTests
{
    public static TheoryData<Exception, int, string> Failures => new()
    {
        { new CliUsageException("--model 'x' does not exist\n(allowed: a model folder)"), CliErrors.UsageExitCode, "error: --model 'x' does not exist (allowed: a model folder)" },
        { new IOException("disk full"), CliErrors.FailureExitCode, "error: disk full" },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void Report_WritesOneLineAndReturnsTheExitCodeOfTheKindOfFailure(Exception failure, int exitCode, string line)
    {
        var console = new TestConsole();

        Assert.Equal(exitCode, CliErrors.Report(failure, console));
        Assert.Equal(line, console.Output.Trim());
    }
}
