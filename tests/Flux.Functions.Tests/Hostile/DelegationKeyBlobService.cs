using Azure;
using Azure.Core;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Flux.Functions.Tests.Hostile;

/// <summary>
/// A blob endpoint reached with a token credential whose only service call, Get User Delegation Key, is
/// answered locally (Azurite cannot issue one without OAuth over HTTPS). Counts the keys it issued.
/// </summary>
public sealed class DelegationKeyBlobService(Uri endpoint) : BlobServiceClient(endpoint, new NoCredential())
{
    private int _keysIssued;

    public int KeysIssued => _keysIssued;

    public override Task<Response<UserDelegationKey>> GetUserDelegationKeyAsync(
        DateTimeOffset? startsOn, DateTimeOffset expiresOn, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _keysIssued);
        var key = BlobsModelFactory.UserDelegationKey(
            "00000000-0000-0000-0000-00000000000a", "00000000-0000-0000-0000-00000000000b",
            startsOn ?? DateTimeOffset.UtcNow, expiresOn, "b", "2025-01-05", Convert.ToBase64String(new byte[32]));
        return Task.FromResult(Response.FromValue(key, null!));
    }

    private sealed class NoCredential : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
            => throw new InvalidOperationException("the test endpoint is never called");

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
            => throw new InvalidOperationException("the test endpoint is never called");
    }
}
