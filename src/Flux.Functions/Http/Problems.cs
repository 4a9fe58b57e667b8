using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Flux.Functions.Http;

/// <summary>RFC 7807 problem details (application/problem+json) for every error the API returns.</summary>
internal static class Problems
{
    public const string ContentType = "application/problem+json";

    /// <summary>400 with one entry per bad field, keyed by its JSON path ("items[2].width").</summary>
    public static ObjectResult Invalid(IReadOnlyDictionary<string, string[]> errors, HttpRequest request)
        => Fields(
            StatusCodes.Status400BadRequest, "https://datatracker.ietf.org/doc/html/rfc9110#section-15.5.1",
            "The generation request has invalid fields.", errors, string.Join("; ", errors.Keys), request);

    /// <summary>415 naming the Content-Type header in <c>errors</c>, as a 400 names a field.</summary>
    public static ObjectResult UnsupportedMediaType(string detail, HttpRequest request)
        => Fields(
            StatusCodes.Status415UnsupportedMediaType, "https://datatracker.ietf.org/doc/html/rfc9110#section-15.5.16",
            "The request body is not JSON.", new Dictionary<string, string[]> { ["Content-Type"] = [detail] }, detail, request);

    /// <summary>413 naming the body ("$") in <c>errors</c>.</summary>
    public static ObjectResult TooLarge(string detail, HttpRequest request)
        => Fields(
            StatusCodes.Status413PayloadTooLarge, "https://datatracker.ietf.org/doc/html/rfc9110#section-15.5.14",
            "The request body is too large.", new Dictionary<string, string[]> { ["$"] = [detail] }, detail, request);

    public static ObjectResult NotFound(string detail, HttpRequest request)
        => Result(Problem(StatusCodes.Status404NotFound, "https://datatracker.ietf.org/doc/html/rfc9110#section-15.5.5", "Not found.", detail, request));

    public static ObjectResult Conflict(string detail, HttpRequest request)
        => Result(Problem(
            StatusCodes.Status409Conflict, "https://datatracker.ietf.org/doc/html/rfc9110#section-15.5.10",
            "The generation is not in a state that allows this.", detail, request));

    /// <summary>A problem whose <c>errors</c> name the fields (or header, or body) at fault.</summary>
    private static ObjectResult Fields(int status, string type, string title, IReadOnlyDictionary<string, string[]> errors, string detail, HttpRequest request)
        => Result(new ValidationProblemDetails(errors.ToDictionary(e => e.Key, e => e.Value))
        {
            Type = type,
            Title = title,
            Status = status,
            Detail = detail,
            Instance = request.Path,
        });

    /// <summary>429 with the Retry-After header (whole seconds) set on the response.</summary>
    public static ObjectResult TooManyRequests(string detail, TimeSpan retryAfter, HttpRequest request)
    {
        request.HttpContext.Response.Headers.RetryAfter = ((long)retryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Result(Problem(
            StatusCodes.Status429TooManyRequests, "https://datatracker.ietf.org/doc/html/rfc6585#section-4",
            "Too many generations started; retry later.", detail, request));
    }

    /// <summary>Wait suggested to clients while the model cannot be opened (an operator has to replace the files).</summary>
    public static readonly TimeSpan ModelRetryAfter = TimeSpan.FromMinutes(1);

    /// <summary>503: the model cannot be opened. The reason (with server paths) is in the host's log, not in the response.</summary>
    public static ObjectResult ModelUnavailable(HttpRequest request)
    {
        request.HttpContext.Response.Headers.RetryAfter = ((long)ModelRetryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Result(Problem(
            StatusCodes.Status503ServiceUnavailable, "https://datatracker.ietf.org/doc/html/rfc9110#section-15.6.4",
            "The model is not available.", "the model package cannot be opened (see the host's log); retry later", request));
    }

    private static ProblemDetails Problem(int status, string type, string title, string detail, HttpRequest request)
        => new() { Type = type, Title = title, Status = status, Detail = detail, Instance = request.Path };

    private static ObjectResult Result(ProblemDetails problem)
    {
        var result = new ObjectResult(problem) { StatusCode = problem.Status };
        result.ContentTypes.Add(ContentType);
        return result;
    }
}
