using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Flux.Cli;

/// <summary>
/// A mistake in the command line that the user can fix: reported as one line, exit code
/// <see cref="CliErrors.UsageExitCode"/>, no stack trace. Throw it from any command.
/// </summary>
public sealed class CliUsageException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CliUsageException()
    {
    }

    /// <summary>Creates the exception with a one-line message.</summary>
    public CliUsageException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public CliUsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// How every `flux` command reports failures, so that all commands behave alike:
/// invalid arguments -> "error: ..." on one line, exit code 2; anything else -> "error: ..." exit code 1.
/// Commands validate in <see cref="CommandSettings.Validate"/> with <see cref="Invalid"/>, or throw
/// <see cref="CliUsageException"/>.
/// </summary>
public static class CliErrors
{
    /// <summary>Exit code of a command that failed at run time.</summary>
    public const int FailureExitCode = 1;

    /// <summary>Exit code of an invalid command line (unknown option, bad value, missing option).</summary>
    public const int UsageExitCode = 2;

    /// <summary>
    /// A validation failure naming the option, what is wrong and the allowed values:
    /// "--steps 0 is out of range (allowed: 1 to 10000)".
    /// </summary>
    public static ValidationResult Invalid(string option, string problem, string allowed)
        => ValidationResult.Error($"{option} {problem} (allowed: {allowed})");

    /// <summary>
    /// Parses a required integer option given as text (so that a bad value is reported with the option's
    /// name, which Spectre's own conversion does not do). Null when valid, else the failure.
    /// </summary>
    public static ValidationResult? ParseInt(string option, string? text, int min, int max, out int value)
        => ParseInt(option, text, min, max, string.Create(CultureInfo.InvariantCulture, $"{min} to {max}"), out value);

    /// <summary>As the other overload, describing the allowed values as <paramref name="allowed"/>.</summary>
    public static ValidationResult? ParseInt(string option, string? text, int min, int max, string allowed, out int value)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            value = 0;
            return Invalid(option, "is required", allowed);
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value))
        {
            return Invalid(option, $"'{text}' is not a whole number", allowed);
        }

        return value < min || value > max
            ? Invalid(option, string.Create(CultureInfo.InvariantCulture, $"{value} is out of range"), allowed)
            : null;
    }

    /// <summary>Writes the one-line report of <paramref name="exception"/> and returns the exit code.</summary>
    public static int Report(Exception exception, IAnsiConsole errorConsole)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(errorConsole);
        bool usage = exception is CommandAppException or CliUsageException;
        // Spectre's own parse errors ("Unknown option 'x'.") do not list what is allowed; --help does.
        string hint = exception is CommandParseException ? " (run with --help for the allowed options and values)" : "";
        errorConsole.Profile.Out.Writer.WriteLine("error: " + OneLine(exception.Message) + hint);
        return usage ? UsageExitCode : FailureExitCode;
    }

    /// <summary>A console on standard error, for the reports of <see cref="Report"/>.</summary>
    public static IAnsiConsole StandardError { get; } = AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(Console.Error),
    });

    private static string OneLine(string message)
        => string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}

/// <summary>Standard error as commands see it (warnings such as a CUDA fallback), injected so tests can capture it.</summary>
public sealed class ErrorConsole(IAnsiConsole console)
{
    public IAnsiConsole Console { get; } = console;

    /// <summary>Writes "warning: ..." as one plain line.</summary>
    public void Warn(string message) => Console.Profile.Out.Writer.WriteLine("warning: " + message);
}
