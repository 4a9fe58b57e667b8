using Flux.Cli;
using Spectre.Console.Cli;

var app = new CommandApp();
app.Configure(CliSetup.Configure);
return await app.RunAsync(args).ConfigureAwait(false);
