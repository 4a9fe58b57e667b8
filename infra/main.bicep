// Flux.Functions on Azure: a Functions app hosted natively on Azure Container Apps with a
// serverless GPU, its storage (identity-only), registry, monitoring and model files.
// `azd up` provisions this and deploys the image built from infra/Dockerfile (see docs/deploy.md).

targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; prefixes the resource group and tags every resource.')
param environmentName string

@minLength(1)
@description('Region of every resource. It must offer the chosen serverless GPU (docs/deploy.md lists them).')
param location string

@description('Serverless GPU: T4 (16 GB, 8 vCPU, 56 GiB RAM) or A100 (80 GB, 24 vCPU, 220 GiB RAM).')
@allowed([
  'Consumption-GPU-NC8as-T4'
  'Consumption-GPU-NC24-A100'
])
param gpuProfileType string = 'Consumption-GPU-NC8as-T4'

@description('Replicas kept running. 1 keeps Durable orchestrations moving: with the Azure Storage provider Container Apps cannot scale the app from zero on orchestration work (docs/deploy.md).')
@minValue(0)
@maxValue(1000)
param minReplicas int = 1

@description('Upper bound of GPU replicas (each one is a billed GPU while it runs).')
@minValue(1)
@maxValue(1000)
param maxReplicas int = 2

@description('Where model files come from: "blob" copies flux-models/<modelName>/ onto each replica\'s ephemeral disk at start (8 GiB limit); "nfs" mounts a premium NFS Azure Files share in a virtual network.')
@allowed([
  'blob'
  'nfs'
])
param modelSource string = 'blob'

@description('Folder of the model package under the flux-models container (and on the share); empty runs the app\'s built-in reference package, so the first deployment needs no upload.')
param modelName string = ''

@description('ONNX Runtime execution provider of the app (Flux:Inference:ExecutionProvider): auto, cpu or cuda.')
@allowed([
  'cuda'
  'auto'
  'cpu'
])
param fluxDevice string = 'cuda'

@description('Images rendered at once per job (Flux:MaxParallelImages).')
@minValue(1)
param maxParallelImages int = 4

@description('Resource id of an existing Event Grid topic for completion CloudEvents; the app gets EventGrid Data Sender on it. Empty: events go to the flux-events queue only.')
param eventGridTopicId string = ''

@description('Days before checkpoints of unfinished images are deleted.')
@minValue(1)
param checkpointRetentionDays int = 7

@description('Days before cached prompt encodings are deleted.')
@minValue(1)
param conditioningRetentionDays int = 30

@description('Premium registries support artifact streaming (faster GPU cold starts).')
@allowed([
  'Basic'
  'Standard'
  'Premium'
])
param registrySku string = 'Standard'

@description('Image of the api service; azd fills it in on deploy.')
param apiImageName string = ''

@description('Principal that runs azd (AZURE_PRINCIPAL_ID); gets blob and queue data roles to upload models and handle queues.')
param principalId string = ''

@description('Type of principalId: a user, or a service principal in CI.')
@allowed([
  'User'
  'ServicePrincipal'
])
param principalType string = 'User'

var abbrs = loadJsonContent('abbreviations.json')
var tags = {
  'azd-env-name': environmentName
}
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var gpuProfileName = 'gpu'
var modelStorageName = 'flux-models'
var useNfs = modelSource == 'nfs'
var useEventGrid = !empty(eventGridTopicId)
// /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.EventGrid/topics/{name}
var eventGridTopicSegments = split(eventGridTopicId, '/')

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

module identity 'app/identity.bicep' = {
  scope: rg
  params: {
    name: '${abbrs.managedIdentityUserAssignedIdentities}${resourceToken}'
    location: location
    tags: tags
  }
}

module monitoring 'app/monitoring.bicep' = {
  scope: rg
  params: {
    logAnalyticsName: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    applicationInsightsName: '${abbrs.insightsComponents}${resourceToken}'
    location: location
    tags: tags
  }
}

module registry 'app/registry.bicep' = {
  scope: rg
  params: {
    name: '${abbrs.containerRegistryRegistries}${resourceToken}'
    location: location
    tags: tags
    sku: registrySku
  }
}

module storage 'app/storage.bicep' = {
  scope: rg
  params: {
    name: '${abbrs.storageStorageAccounts}${resourceToken}'
    location: location
    tags: tags
    checkpointRetentionDays: checkpointRetentionDays
    conditioningRetentionDays: conditioningRetentionDays
  }
}

module roles 'app/roles.bicep' = {
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    registryName: registry.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    appPrincipalId: identity.outputs.principalId
    operatorPrincipalId: principalId
    operatorPrincipalType: principalType
  }
}

module network 'app/network.bicep' = if (useNfs) {
  scope: rg
  params: {
    name: '${abbrs.networkVirtualNetworks}${resourceToken}'
    location: location
    tags: tags
  }
}

module modelShare 'app/model-share.bicep' = if (useNfs) {
  scope: rg
  params: {
    name: '${abbrs.storageFileStorageAccounts}${resourceToken}'
    location: location
    tags: tags
    allowedSubnetId: useNfs ? network!.outputs.environmentSubnetId : ''
  }
}

module environment 'app/environment.bicep' = {
  scope: rg
  params: {
    name: '${abbrs.appManagedEnvironments}${resourceToken}'
    location: location
    tags: tags
    gpuProfileType: gpuProfileType
    gpuProfileName: gpuProfileName
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
    infrastructureSubnetId: useNfs ? network!.outputs.environmentSubnetId : ''
    nfsServer: useNfs ? modelShare!.outputs.nfsServer : ''
    nfsShareName: useNfs ? modelShare!.outputs.nfsShareName : ''
    modelStorageName: modelStorageName
  }
}

module eventGrid 'app/eventgrid-sender.bicep' = if (useEventGrid) {
  scope: resourceGroup(
    useEventGrid ? eventGridTopicSegments[2] : subscription().subscriptionId,
    useEventGrid ? eventGridTopicSegments[4] : rg.name
  )
  params: {
    topicName: last(eventGridTopicSegments)
    principalId: identity.outputs.principalId
  }
}

module api 'app/functionapp.bicep' = {
  scope: rg
  params: {
    name: '${abbrs.appContainerApps}api-${resourceToken}'
    location: location
    tags: tags
    environmentId: environment.outputs.id
    gpuProfileName: gpuProfileName
    gpuProfileType: gpuProfileType
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    registryLoginServer: registry.outputs.loginServer
    imageName: apiImageName
    storageAccountName: storage.outputs.name
    blobEndpoint: storage.outputs.blobEndpoint
    queueEndpoint: storage.outputs.queueEndpoint
    tableEndpoint: storage.outputs.tableEndpoint
    applicationInsightsConnectionString: monitoring.outputs.applicationInsightsConnectionString
    minReplicas: minReplicas
    maxReplicas: maxReplicas
    modelSource: modelSource
    modelName: modelName
    modelStorageName: environment.outputs.modelStorageName
    device: fluxDevice
    deviceId: 0
    maxParallelImages: maxParallelImages
    eventGridTopicEndpoint: useEventGrid ? eventGrid!.outputs.endpoint : ''
  }
  // The first revision pulls from the registry and reaches storage as soon as it starts.
  dependsOn: [
    roles
  ]
}

module modelSync 'app/model-sync-job.bicep' = if (useNfs) {
  scope: rg
  params: {
    name: '${abbrs.appContainerAppsJobs}models-${resourceToken}'
    location: location
    tags: tags
    environmentId: environment.outputs.id
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    modelName: modelName
    modelStorageWritableName: environment.outputs.modelStorageWritableName
  }
  dependsOn: [
    roles
  ]
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_CONTAINER_REGISTRY_ENDPOINT string = registry.outputs.loginServer
output AZURE_CONTAINER_REGISTRY_NAME string = registry.outputs.name
output AZURE_CONTAINER_APPS_ENVIRONMENT_NAME string = environment.outputs.name
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output SERVICE_API_NAME string = api.outputs.name
output SERVICE_API_URI string = api.outputs.uri
output FLUX_MODEL_SOURCE string = modelSource
output FLUX_MODEL_NAME string = modelName
output FLUX_MODEL_SYNC_JOB_NAME string = useNfs ? modelSync!.outputs.name : ''
