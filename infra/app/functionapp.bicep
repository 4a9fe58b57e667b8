// The Functions app, hosted natively on Azure Container Apps (kind 'functionapp'), on the
// serverless GPU workload profile. All connections are identity-based; there are no secrets.

import { modelPullImage, modelPullCommand, modelPullEnv } from 'model-pull.bicep'
import { healthFunctionProbes, tcpStartupProbe } from 'probes.bicep'

param name string
param location string
param tags object

param environmentId string
param gpuProfileName string

@allowed([
  'Consumption-GPU-NC8as-T4'
  'Consumption-GPU-NC24-A100'
])
param gpuProfileType string

param identityId string
param identityClientId string
param registryLoginServer string

@description('Image to run; empty until `azd deploy` pushes the app image.')
param imageName string

param storageAccountName string
param blobEndpoint string
param queueEndpoint string
param tableEndpoint string
param applicationInsightsConnectionString string

@minValue(0)
param minReplicas int

@minValue(1)
param maxReplicas int

@allowed([
  'blob'
  'nfs'
])
param modelSource string
@description('Model package folder under flux-models; empty runs the built-in reference package.')
param modelName string
param modelStorageName string

param device string
param deviceId int
param maxParallelImages int
param eventGridTopicEndpoint string

// Until the first `azd deploy`, a public Functions quickstart image keeps the revision healthy.
var placeholderImage = 'mcr.microsoft.com/azure-functions/dotnet8-quickstart-demo:1.0'

// A serverless GPU replica gets the whole GPU node's share: the app must request exactly it.
var gpuReplicaResources = {
  'Consumption-GPU-NC8as-T4': {
    cpu: 8
    memory: '56Gi'
  }
  'Consumption-GPU-NC24-A100': {
    cpu: 24
    memory: '220Gi'
  }
}

var modelRoot = '/models'
var modelVolumeName = 'models'
var httpPort = 80
var healthPath = '/api/health'

var storageSettings = [
  {
    name: 'AzureWebJobsStorage__credential'
    value: 'managedidentity'
  }
  {
    name: 'AzureWebJobsStorage__clientId'
    value: identityClientId
  }
  {
    name: 'AzureWebJobsStorage__blobServiceUri'
    value: blobEndpoint
  }
  {
    name: 'AzureWebJobsStorage__queueServiceUri'
    value: queueEndpoint
  }
  {
    name: 'AzureWebJobsStorage__tableServiceUri'
    value: tableEndpoint
  }
]

var hostSettings = [
  {
    name: 'FUNCTIONS_WORKER_RUNTIME'
    value: 'dotnet-isolated'
  }
  {
    // Lets DefaultAzureCredential in the app pick the user-assigned identity.
    name: 'AZURE_CLIENT_ID'
    value: identityClientId
  }
  {
    name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
    value: applicationInsightsConnectionString
  }
  {
    // Entra ID ingestion: the workspace rejects instrumentation-key-only telemetry.
    name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'
    value: 'ClientId=${identityClientId};Authorization=AAD'
  }
]

// Options section 'Flux' of the app (':' is written '__' in environment variables). Without a
// model name, Flux:ModelPath stays unset and the app uses its built-in reference package, which
// needs no upload: the first `azd up` then works before any FLUX export is in storage.
var useModelPackage = !empty(modelName)

// A T4 (16 GB) cannot hold T5-XXL and the FLUX transformer at once: load, run and release one stage at a
// time there (Flux.Inference's sequential memory mode, docs/deploy.md); an A100 keeps every session resident.
var memoryMode = gpuProfileType == 'Consumption-GPU-NC8as-T4' ? 'sequential' : 'resident'
// Even alone, fp32 T5-XXL (~19 GB) outgrows the T4's 16 GB: there CLIP and T5 run on the CPU from the replica's
// 56 GiB of host memory, once per prompt, and the GPU keeps the transformer (int4: ~7 GB) and the VAE.
var textEncodersOnCpu = gpuProfileType == 'Consumption-GPU-NC8as-T4'
var fluxSettings = concat(
  useModelPackage
    ? [
        {
          name: 'Flux__ModelPath'
          value: '${modelRoot}/${modelName}'
        }
      ]
    : [],
  [
    {
      name: 'Flux__Inference__ExecutionProvider'
      value: device
    }
    {
      name: 'Flux__Inference__DeviceId'
      value: string(deviceId)
    }
    {
      name: 'Flux__MaxParallelImages'
      value: string(maxParallelImages)
    }
    {
      name: 'Flux__Inference__MemoryMode'
      value: memoryMode
    }
    {
      name: 'Flux__Inference__TextEncodersOnCpu'
      value: string(textEncodersOnCpu)
    }
  ],
  empty(eventGridTopicEndpoint)
    ? []
    : [
        {
          name: 'Flux__EventGridTopicEndpoint'
          value: eventGridTopicEndpoint
        }
      ]
)

// Model source 'nfs': the share is mounted directly. Model source 'blob': an init container
// copies the model package onto the replica's ephemeral disk before the app starts.
var modelVolumes = modelSource == 'nfs'
  ? [
      {
        name: modelVolumeName
        storageType: 'NfsAzureFile'
        storageName: modelStorageName
      }
    ]
  : useModelPackage
      ? [
          {
            name: modelVolumeName
            storageType: 'EmptyDir'
          }
        ]
      : []

var modelVolumeMounts = empty(modelVolumes)
  ? []
  : [
      {
        volumeName: modelVolumeName
        mountPath: modelRoot
      }
    ]

var modelInitContainers = modelSource == 'blob' && useModelPackage
  ? [
      {
        name: 'model-pull'
        image: modelPullImage
        command: modelPullCommand
        env: modelPullEnv(identityClientId, storageAccountName, modelName, modelRoot)
        // Runs to completion before the app container starts.
        resources: {
          cpu: 1
          memory: '2Gi'
        }
        volumeMounts: modelVolumeMounts
      }
    ]
  : []

resource app 'Microsoft.App/containerApps@2025-07-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    environmentId: environmentId
    workloadProfileName: gpuProfileName
    configuration: {
      // One revision at a time: concurrent revisions would share the Durable task hub.
      activeRevisionsMode: 'Single'
      ingress: {
        external: true
        targetPort: httpPort
        transport: 'auto'
        allowInsecure: false
      }
      registries: [
        {
          server: registryLoginServer
          identity: identityId
        }
      ]
    }
    template: {
      initContainers: modelInitContainers
      containers: [
        {
          name: 'api'
          image: empty(imageName) ? placeholderImage : imageName
          env: concat(hostSettings, storageSettings, fluxSettings)
          resources: gpuReplicaResources[gpuProfileType]
          volumeMounts: modelVolumeMounts
          // The placeholder image that runs until the first `azd deploy` has no /api/health, so it
          // is probed on its TCP port; the HTTP probes take over on the next `azd provision`
          // (azd then passes the deployed image).
          probes: empty(imageName) ? tcpStartupProbe(httpPort) : healthFunctionProbes(healthPath, httpPort)
        }
      ]
      scale: {
        minReplicas: minReplicas
        maxReplicas: maxReplicas
      }
      volumes: modelVolumes
    }
  }
}

output name string = app.name
output uri string = 'https://${app.properties.configuration.ingress.fqdn}'
