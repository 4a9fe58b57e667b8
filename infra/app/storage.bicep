// The app's storage account: Durable Functions state (the Azure Storage provider's queues, tables
// and blobs), the Functions host, and the data of DESIGN section 7. Shared-key access is off, so
// every client, including the host, authenticates with the managed identity.

param name string
param location string
param tags object

@description('Checkpoints of images that never completed (crashed or cancelled jobs) are deleted after this many days.')
@minValue(1)
param checkpointRetentionDays int

@description('Cached prompt encodings are deleted after this many days without modification.')
@minValue(1)
param conditioningRetentionDays int

@allowed([
  'Standard_LRS'
  'Standard_ZRS'
])
param sku string = 'Standard_LRS'

// Containers and queues the app uses (DESIGN 7; the app also creates them if missing).
// flux-rejections keeps invalid queue messages and prompt files with their reason; flux-inputs holds
// input images (img2img sources, masks) that requests name, and the uploads stored under {jobId}/; flux-models
// holds model packages uploaded by the operator, copied to each replica at start (model source
// 'blob') or onto the NFS share by the sync job.
var containerNames = [
  'flux-images'
  'flux-checkpoints'
  'flux-conditioning'
  'flux-prompts'
  'flux-rejections'
  'flux-inputs'
  'flux-models'
]
var queueNames = [
  'flux-jobs'
  'flux-jobs-poison'
  'flux-events'
]

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: sku
  }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [
  for containerName in containerNames: {
    parent: blobService
    name: containerName
    properties: {
      publicAccess: 'None'
    }
  }
]

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = [
  for queueName in queueNames: {
    parent: queueService
    name: queueName
  }
]

// Completed images delete their own checkpoints; these rules sweep what failed or cancelled jobs
// leave behind, so storage does not grow without bound.
resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2023-05-01' = {
  parent: account
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'delete-stale-checkpoints'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
              ]
              prefixMatch: [
                'flux-checkpoints/'
              ]
            }
            actions: {
              baseBlob: {
                delete: {
                  daysAfterModificationGreaterThan: checkpointRetentionDays
                }
              }
            }
          }
        }
        {
          name: 'expire-conditioning-cache'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
              ]
              prefixMatch: [
                'flux-conditioning/'
              ]
            }
            actions: {
              baseBlob: {
                delete: {
                  daysAfterModificationGreaterThan: conditioningRetentionDays
                }
              }
            }
          }
        }
      ]
    }
  }
  dependsOn: [
    containers
  ]
}

output id string = account.id
output name string = account.name
output blobEndpoint string = account.properties.primaryEndpoints.blob
output queueEndpoint string = account.properties.primaryEndpoints.queue
output tableEndpoint string = account.properties.primaryEndpoints.table
