using Flux.Functions.Orchestrations;
using Flux.Functions.Rendering;
using Flux.Functions.Tests.Hosting;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Flux.Functions.Tests;

/// <summary>
/// Failure handling as the real isolated worker reports activity failures: every test host here passes an
/// activity's exception to the orchestrator as an AggregateException with the message only
/// (<see cref="FluxTaskRegistry.AsIsolatedWorkerReportsIt"/>), so nothing can depend on the type surviving.
/// With that shape: invalid input is tried once (here and in OrchestrationTests), a transient error is retried,
/// and a cancelled image ends Terminated (HttpApiTests.CancelMarkerSeenBeforeTheTermination_ImageStillEndsTerminated).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class IsolatedWorkerFailureTests(AzuriteFixture azurite)
{
    private static readonly Dictionary<string, string?> FiveAttempts = new() { ["Flux:ActivityMaxAttempts"] = "5" };

    [Fact]
    public async Task TransientError_ArrivesWithoutItsType_AndIsRetriedUpToTheAttemptLimit()
    {
        var renderer = new FailingEncoderRenderer(new FakeRenderer(), prompt => new IOException($"disk full while encoding \"{prompt}\""));
        await using var service = await FluxTestService.StartAsync(azurite, renderer, FiveAttempts);
        string jobId = $"transient-{Guid.NewGuid():N}";

        var job = await JobAssertions.RunJobAsync(service, JobAssertions.Request("a brown kite"), jobId);

        Assert.Equal(5, renderer.Attempts);
        var image = await service.Client.GetInstanceAsync(Jobs.JobIds.ImageInstance(jobId, 0), getInputsAndOutputs: true);
        var activityFailure = Innermost(image!.FailureDetails!);
        Assert.Equal(typeof(AggregateException).FullName, activityFailure.ErrorType); // the shape of #2762: the type is gone
        Assert.False(activityFailure.IsCausedBy<IOException>());
        Assert.Contains("disk full while encoding \"a brown kite\"", activityFailure.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("disk full", Assert.Single(job.ReadOutputAs<JobResult>()!.Failures).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidPrompt_IsTriedOnce_AndFailsTheImageWithItsMessage()
    {
        var renderer = new FailingEncoderRenderer(new FakeRenderer(), prompt => new InvalidRenderInputException($"prompt \"{prompt}\" has no tokens"));
        await using var service = await FluxTestService.StartAsync(azurite, renderer, FiveAttempts);
        string jobId = $"invalid-{Guid.NewGuid():N}";

        var job = await JobAssertions.RunJobAsync(service, JobAssertions.Request("a silent void"), jobId);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, job.RuntimeStatus);
        Assert.Equal(1, renderer.Attempts);
        Assert.Equal("prompt \"a silent void\" has no tokens", Assert.Single(job.ReadOutputAs<JobResult>()!.Failures).Reason);
    }

    private static TaskFailureDetails Innermost(TaskFailureDetails details)
    {
        while (details.InnerFailure is not null)
        {
            details = details.InnerFailure;
        }

        return details;
    }
}
