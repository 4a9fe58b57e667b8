using Flux.Cli;
using Spectre.Console.Cli;

var app = new CommandApp();
app.Configure(CliSetup.Configure);
return await app.RunAsync(CliSetup.PrepareArguments(args)).ConfigureAwait(false);
