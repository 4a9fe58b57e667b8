using Flux.Functions;
using Flux.Functions.Rendering;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.Services
    .AddFluxService(builder.Configuration)
    .AddFluxPipelineRenderer(builder.Configuration);
builder.Build().Run();
