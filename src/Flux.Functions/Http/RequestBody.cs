using System.Text;
using Microsoft.AspNetCore.Http;

namespace Flux.Functions.Http;

/// <summary>Reads a request body as UTF-8 text, at most a given number of bytes.</summary>
internal static class RequestBody
{
    /// <summary>The body, or null when it is (or declares itself) larger than <paramref name="maxBytes"/>; a larger body is not read to its end.</summary>
    public static async Task<string?> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        byte[] chunk = new byte[Math.Min(maxBytes + 1, 81920)];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
