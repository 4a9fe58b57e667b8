using System.Text.Json;
using Spectre.Console;

namespace Flux.Cli;

/// <summary>The one JSON shape of every command's <c>--json</c> output: camelCase names, as the service's JSON.</summary>
internal static class CliJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    /// <summary>Writes <paramref name="value"/> as one line on the console's output, bypassing markup.</summary>
    public static void Write<T>(IAnsiConsole console, T value) => console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(value, Options));
}
