using System.Reflection;
using Flux.Functions.Rendering;
using Flux.Inference;
using Flux.Inference.Sessions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace Flux.Functions.Http;

/// <summary>GET /api/models (the loaded model, its defaults and the request limits) and GET /api/openapi.json.</summary>
internal sealed class ModelsApi(RendererHandle renderer, IOptions<FluxOptions> options, IOptions<InferenceOptions> inference)
{
    public const string Models = "GetModels";
    public const string OpenApi = "GetOpenApi";
    public const string OpenApiResource = "openapi.json";

    [Function(Models)]
    public IActionResult GetModels([HttpTrigger(AuthorizationLevel.Function, "get", Route = "models")] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        IImageRenderer model;
        try
        {
            model = renderer.Renderer;
        }
        catch (FluxModelException)
        {
            return Problems.ModelUnavailable(request);
        }

        var o = options.Value;
        var limits = new RequestLimits(o.MaxPromptLength, o.MaxWidth, o.MaxHeight, o.MaxSteps, o.MaxImagesPerJob);
        return new OkObjectResult(new ModelList([new ModelView(model.ModelId, inference.Value.ExecutionProvider.ToString().ToLowerInvariant(), model.Defaults, limits)]));
    }

    /// <summary>The OpenAPI 3 description kept at docs/openapi.json, embedded at build.</summary>
    [Function(OpenApi)]
    public static IActionResult GetOpenApi([HttpTrigger(AuthorizationLevel.Function, "get", Route = "openapi.json")] HttpRequest request)
        => new FileStreamResult(OpenApiDocument(), "application/json");

    public static Stream OpenApiDocument()
        => Assembly.GetExecutingAssembly().GetManifestResourceStream(OpenApiResource)
           ?? throw new InvalidOperationException($"embedded resource {OpenApiResource} is missing from the build");
}

internal sealed record ModelList(IReadOnlyList<ModelView> Models);

internal sealed record ModelView(string Id, string Device, ModelDefaults Defaults, RequestLimits Limits);

internal sealed record RequestLimits(int MaxPromptLength, int MaxWidth, int MaxHeight, int MaxSteps, int MaxImagesPerJob);
