using Flux.Functions.Storage;
using Microsoft.Extensions.Configuration;

namespace Flux.Functions.Tests;

public sealed class StorageClientsTests
{
    private static StorageClients Create(Dictionary<string, string?> settings, FluxOptions? options = null)
        => StorageClients.Create(options ?? new FluxOptions(), new ConfigurationBuilder().AddInMemoryCollection(settings).Build());

    [Fact]
    public void ServiceUris_AsTheFunctionsHostSpellsThem_UseAnIdentity()
    {
        var clients = Create(new()
        {
            ["AzureWebJobsStorage:blobServiceUri"] = "https://acct.blob.core.windows.net",
            ["AzureWebJobsStorage:queueServiceUri"] = "https://acct.queue.core.windows.net",
            ["AzureWebJobsStorage:clientId"] = "00000000-0000-0000-0000-000000000001",
        });

        Assert.Equal(("acct.blob.core.windows.net", "acct.queue.core.windows.net"), (clients.Blobs.Uri.Host, clients.Queues.Uri.Host));
        Assert.False(clients.Blobs.CanGenerateAccountSasUri); // a token credential, no account key
    }

    [Fact]
    public void ConnectionString_UnderTheConfiguredName_UsesTheAccountKey()
    {
        var clients = Create(new() { ["Data"] = "UseDevelopmentStorage=true" }, new FluxOptions { StorageConnection = "Data" });

        Assert.True(clients.Blobs.CanGenerateAccountSasUri);
        Assert.Equal("devstoreaccount1", clients.Blobs.AccountName);
    }

    [Fact]
    public void NoStorage_IsAnErrorNamingTheSettings()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Create([]));

        Assert.Contains("\"AzureWebJobsStorage\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("__blobServiceUri", error.Message, StringComparison.Ordinal);
    }
}
