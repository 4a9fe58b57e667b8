namespace Flux.Functions.Storage;

/// <summary>The HTTP statuses the storage service answers with that the stores handle.</summary>
internal static class StatusCodes
{
    public const int NotFound = 404;
    public const int Conflict = 409;
    public const int PreconditionFailed = 412;
}
