// Container Apps environment with workload profiles: the default Consumption profile (CPU jobs)
// and one serverless GPU profile. A GPU profile can only be added when the environment is
// created, so changing gpuProfileType later means a new environment.

param name string
param location string
param tags object

@description('Serverless GPU workload profile type.')
@allowed([
  'Consumption-GPU-NC8as-T4'
  'Consumption-GPU-NC24-A100'
])
param gpuProfileType string

@description('Name the app uses to select the GPU profile.')
param gpuProfileName string

param logAnalyticsWorkspaceId string

@description('Subnet to inject the environment into; empty for a Microsoft-managed network.')
param infrastructureSubnetId string = ''

@description('NFS server host of the model share; empty when models do not come from NFS.')
param nfsServer string = ''

@description('NFS share path ("/<account>/<share>").')
param nfsShareName string = ''

@description('Name of the environment storage definition for the model share.')
param modelStorageName string

resource environment 'Microsoft.App/managedEnvironments@2025-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    // Logs go through Azure Monitor diagnostic settings below instead of the 'log-analytics'
    // destination, which would need the workspace's shared key.
    appLogsConfiguration: {
      destination: 'azure-monitor'
    }
    vnetConfiguration: empty(infrastructureSubnetId)
      ? null
      : {
          infrastructureSubnetId: infrastructureSubnetId
          internal: false
        }
    workloadProfiles: [
      {
        name: 'Consumption'
        workloadProfileType: 'Consumption'
      }
      {
        name: gpuProfileName
        workloadProfileType: gpuProfileType
      }
    ]
  }
}

resource logs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: environment
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        categoryGroup: 'allLogs'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}

resource modelStorage 'Microsoft.App/managedEnvironments/storages@2025-07-01' = if (!empty(nfsServer)) {
  parent: environment
  name: modelStorageName
  properties: {
    nfsAzureFile: {
      server: nfsServer
      shareName: nfsShareName
      // The app only reads models; the model sync job writes through the definition below.
      accessMode: 'ReadOnly'
    }
  }
}

resource modelStorageWritable 'Microsoft.App/managedEnvironments/storages@2025-07-01' = if (!empty(nfsServer)) {
  parent: environment
  name: '${modelStorageName}-rw'
  properties: {
    nfsAzureFile: {
      server: nfsServer
      shareName: nfsShareName
      accessMode: 'ReadWrite'
    }
  }
}

output id string = environment.id
output name string = environment.name
output defaultDomain string = environment.properties.defaultDomain
output modelStorageName string = modelStorageName
output modelStorageWritableName string = '${modelStorageName}-rw'
