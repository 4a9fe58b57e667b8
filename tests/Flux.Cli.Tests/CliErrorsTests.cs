using Spectre.Console.Testing;

namespace Flux.Cli.Tests;

public class CliErrorsTests
{
    [Fact]
    public void UsageException_IsExitCode2OnOneLine()
    {
        var console = new TestConsole();

        int exitCode = CliErrors.Report(new CliUsageException("--model 'x' does not exist\n(allowed: a model folder)"), console);

        Assert.Equal(CliErrors.UsageExitCode, exitCode);
        Assert.Equal("error: --model 'x' does not exist (allowed: a model folder)", console.Output.Trim());
    }

    [Fact]
    public void OtherFailure_IsExitCode1WithItsMessageOnly()
    {
        var console = new TestConsole();

        int exitCode = CliErrors.Report(new IOException("disk full"), console);

        Assert.Equal(CliErrors.FailureExitCode, exitCode);
        Assert.Equal("error: disk full", console.Output.Trim());
    }
}
