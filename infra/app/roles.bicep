// Exactly the data-plane roles the app's identity needs, each at the narrowest scope, plus
// optional roles for the operator who runs `azd up` (to upload models and handle queues).

param storageAccountName string
param registryName string
param applicationInsightsName string

@description('Principal id of the app\'s user-assigned managed identity.')
param appPrincipalId string

@description('Principal id of the operator (azd sets AZURE_PRINCIPAL_ID); empty to skip operator roles.')
param operatorPrincipalId string = ''

@description('Whether the operator principal is a user or a service principal (CI).')
@allowed([
  'User'
  'ServicePrincipal'
])
param operatorPrincipalType string = 'User'

// Built-in role definition ids (stable across tenants).
var roles = {
  // Durable Functions (Azure Storage provider) and the host lease blobs need to manage containers
  // and blobs, including their ACLs: Owner rather than Contributor, as the Functions docs require.
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  // Control and work-item queues of Durable Functions, flux-jobs, flux-jobs-poison, flux-events.
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  // Durable Functions' history and instance tables.
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  // Image pull without registry credentials.
  acrPull: '7f951dda-4ed3-4680-a7ca-43fe172d538d'
  // Telemetry ingestion into Application Insights with local auth disabled.
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  // Operator: upload model packages and prompt files, read images.
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' existing = {
  name: registryName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

var appStorageRoles = [
  roles.storageBlobDataOwner
  roles.storageQueueDataContributor
  roles.storageTableDataContributor
]

resource appStorage 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in appStorageRoles: {
    name: guid(storage.id, appPrincipalId, roleId)
    scope: storage
    properties: {
      principalId: appPrincipalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    }
  }
]

resource appAcrPull 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(registry.id, appPrincipalId, roles.acrPull)
  scope: registry
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.acrPull)
  }
}

resource appTelemetry 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, appPrincipalId, roles.monitoringMetricsPublisher)
  scope: applicationInsights
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
  }
}

var operatorStorageRoles = [
  roles.storageBlobDataContributor
  roles.storageQueueDataContributor
]

resource operatorStorage 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in operatorStorageRoles: if (!empty(operatorPrincipalId)) {
    name: guid(storage.id, operatorPrincipalId, roleId)
    scope: storage
    properties: {
      principalId: operatorPrincipalId
      principalType: operatorPrincipalType
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    }
  }
]
