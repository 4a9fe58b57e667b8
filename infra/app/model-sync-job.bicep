// Model source 'nfs': a manually started Container Apps job on the CPU (Consumption) profile
// that copies flux-models/<model>/ from blob storage onto the NFS share with the managed
// identity. NFS shares have no REST upload path, so operators upload to blob and run this job.

import { modelPullImage, modelPullCommand, modelPullEnv } from 'model-pull.bicep'

param name string
param location string
param tags object

param environmentId string
param identityId string
param identityClientId string
param storageAccountName string
param modelName string

@description('Writable environment storage definition of the NFS model share.')
param modelStorageWritableName string

@description('Seconds one sync may run; a 35 GB FLUX.1 dev export needs tens of minutes.')
param replicaTimeoutSeconds int = 7200

var modelRoot = '/models'

resource job 'Microsoft.App/jobs@2025-07-01' = {
  name: name
  location: location
  tags: tags
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    environmentId: environmentId
    workloadProfileName: 'Consumption'
    configuration: {
      triggerType: 'Manual'
      replicaTimeout: replicaTimeoutSeconds
      replicaRetryLimit: 1
      manualTriggerConfig: {
        parallelism: 1
        replicaCompletionCount: 1
      }
    }
    template: {
      containers: [
        {
          name: 'model-sync'
          image: modelPullImage
          command: modelPullCommand
          env: modelPullEnv(identityClientId, storageAccountName, modelName, modelRoot)
          resources: {
            cpu: 2
            memory: '4Gi'
          }
          volumeMounts: [
            {
              volumeName: 'models'
              mountPath: modelRoot
            }
          ]
        }
      ]
      volumes: [
        {
          name: 'models'
          storageType: 'NfsAzureFile'
          storageName: modelStorageWritableName
        }
      ]
    }
  }
}

output name string = job.name
