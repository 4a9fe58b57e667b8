using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Flux.Functions.Tests.Hosting;

/// <summary>
/// Real ASP.NET Core request objects for the HTTP functions, and results executed by ASP.NET Core
/// MVC into a response (status, headers, JSON body) as the Functions host would.
/// </summary>
internal static class HttpCalls
{
    public const string Host = "flux.example";

    private static readonly IServiceProvider Mvc = new ServiceCollection().AddLogging().AddMvcCore().Services.BuildServiceProvider();

    public static HttpRequest Request(string method, string path, string? body = null)
    {
        var context = new DefaultHttpContext { RequestServices = Mvc };
        context.Request.Method = method;
        context.Request.Scheme = "https";
        context.Request.Host = new HostString(Host);
        context.Request.Path = path;
        if (body is not null)
        {
            context.Request.ContentType = "application/json";
            context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(body));
        }

        context.Response.Body = new MemoryStream();
        return context.Request;
    }

    public static async Task<HttpResponse> ExecuteAsync(HttpRequest request, IActionResult result)
    {
        await result.ExecuteResultAsync(new ActionContext(request.HttpContext, new RouteData(), new ActionDescriptor()));
        request.HttpContext.Response.Body.Position = 0;
        return request.HttpContext.Response;
    }

    public static JsonElement Json(HttpResponse response)
    {
        response.Body.Position = 0;
        return JsonDocument.Parse(response.Body).RootElement.Clone();
    }

    public static byte[] Bytes(HttpResponse response)
    {
        response.Body.Position = 0;
        using var copy = new MemoryStream();
        response.Body.CopyTo(copy);
        return copy.ToArray();
    }
}
