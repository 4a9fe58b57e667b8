using Microsoft.AspNetCore.Http;

namespace Flux.Functions.Http;

/// <summary>The URLs of a generation, absolute on the host the request came to.</summary>
internal sealed record GenerationLinks(Uri Status, Uri Cancel, string Images)
{
    /// <summary>The Functions host's default route prefix (host.json extensions.http.routePrefix).</summary>
    public const string RoutePrefix = "/api";

    public static GenerationLinks For(HttpRequest request, string id)
    {
        ArgumentNullException.ThrowIfNull(request);
        string root = $"{request.Scheme}://{request.Host}{request.PathBase}{RoutePrefix}/generations/{Uri.EscapeDataString(id)}";
        return new GenerationLinks(new Uri(root), new Uri(root), root + "/images/{n}");
    }

    public Uri ImageUri(int index) => new(Images.Replace("{n}", index.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));

    /// <summary>GET /api/generations/{id}/images/{n}/preview.</summary>
    public Uri PreviewUri(int index) => new(ImageUri(index) + "/preview");
}
