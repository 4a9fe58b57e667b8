using Microsoft.Extensions.Options;

namespace Flux.Functions;

/// <summary>Checks across fields that data annotations cannot express.</summary>
internal sealed class FluxOptionsValidator : IValidateOptions<FluxOptions>
{
    public ValidateOptionsResult Validate(string? name, FluxOptions options)
    {
        var failures = new List<string>();
        if (options.ModelPath.Length > 0 && !Directory.Exists(options.ModelPath))
        {
            failures.Add($"Flux:ModelPath \"{options.ModelPath}\" is not a folder; leave it empty for the built-in reference model.");
        }

        if ((options.BlobServiceUri is null) != (options.QueueServiceUri is null))
        {
            failures.Add("Flux:BlobServiceUri and Flux:QueueServiceUri must be set together (managed identity) or both left empty (connection string).");
        }

        if (options.CheckpointEverySteps > options.DenoiseChunkSteps)
        {
            failures.Add($"Flux:CheckpointEverySteps {options.CheckpointEverySteps} exceeds Flux:DenoiseChunkSteps {options.DenoiseChunkSteps}; a chunk would end before its first checkpoint.");
        }

        if (options.StorageRetryDelay > options.StorageMaxRetryDelay)
        {
            failures.Add($"Flux:StorageRetryDelay {options.StorageRetryDelay} exceeds Flux:StorageMaxRetryDelay {options.StorageMaxRetryDelay}.");
        }

        if (Notifications.WebhookSecretFormat.Problem(options.WebhookSecret) is { } secretProblem)
        {
            failures.Add($"Flux:WebhookSecret {secretProblem}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
