using System.Runtime.CompilerServices;

// An executable: its types are internal (DESIGN "Ours"). The tests, and the service bench that shares their hosting
// code as source, drive the app through them.
[assembly: InternalsVisibleTo("Flux.Functions.Tests")]
[assembly: InternalsVisibleTo("Flux.Reliability.Tests")]
[assembly: InternalsVisibleTo("Flux.ServiceBench")]
