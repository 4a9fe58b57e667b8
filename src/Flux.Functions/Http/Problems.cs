using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Flux.Functions.Http;

/// <summary>RFC 7807 problem details (application/problem+json) for every error the API returns.</summary>
internal static class Problems
{
    public const string ContentType = "application/problem+json";

    /// <summary>400 with one entry per bad field, keyed by its JSON path ("items[2].width").</summary>
    public static ObjectResult Invalid(IReadOnlyDictionary<string, string[]> errors, HttpRequest request)
        => Result(new ValidationProblemDetails(errors.ToDictionary(e => e.Key, e => e.Value))
        {
            Type = "https://datatracker.ietf.org/doc/html/rfc9110#section-15.5.1",
            Title = "The generation request has invalid fields.",
            Status = StatusCodes.Status400BadRequest,
            Detail = string.Join("; ", errors.Keys),
            Instance = request.Path,
        });

    /// <summary>415 naming the Content-Type header in <c>errors</c>, as a 400 names a field.</summary>
    public static ObjectResult UnsupportedMediaType(string detail, HttpRequest request)
        => Result(new ValidationProblemDetails(new Dictionary<string, string[]> { ["Content-Type"] = [detail] })
        {
            Type = "https://datatracker.ietf.org/doc/html/rfc9110#section-15.5.16",
            Title = "The request body is not JSON.",
            Status = StatusCodes.Status415UnsupportedMediaType,
            Detail = detail,
            Instance = request.Path,
        });

    /// <summary>413 naming the body ("$") in <c>errors</c>.</summary>
    public static ObjectResult TooLarge(string detail, HttpRequest request)
        => Result(new ValidationProblemDetails(new Dictionary<string, string[]> { ["$"] = [detail] })
        {
            Type = "https://datatracker.ietf.org/doc/html/rfc9110#section-15.5.14",
            Title = "The request body is too large.",
            Status = StatusCodes.Status413PayloadTooLarge,
            Detail = detail,
            Instance = request.Path,
        });

    public static ObjectResult NotFound(string detail, HttpRequest request)
        => Result(Problem(StatusCodes.Status404NotFound, "https://datatracker.ietf.org/doc/html/rfc9110#section-15.5.5", "Not found.", detail, request));

    public static ObjectResult Conflict(string detail, HttpRequest request)
        => Result(Problem(
            StatusCodes.Status409Conflict, "https://datatracker.ietf.org/doc/html/rfc9110#section-15.5.10",
            "The generation is not in a state that allows this.", detail, request));

    private static ProblemDetails Problem(int status, string type, string title, string detail, HttpRequest request)
        => new() { Type = type, Title = title, Status = status, Detail = detail, Instance = request.Path };

    private static ObjectResult Result(ProblemDetails problem)
    {
        var result = new ObjectResult(problem) { StatusCode = problem.Status };
        result.ContentTypes.Add(ContentType);
        return result;
    }
}
