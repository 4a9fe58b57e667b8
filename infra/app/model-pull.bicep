// How model files get from the flux-models blob container to a replica's disk or to the NFS
// share, with the managed identity and no keys: the Azure CLI image logs in with the identity
// (AZURE_CLIENT_ID) and downloads flux-models/<FLUX_MODEL_NAME>/ into FLUX_MODEL_ROOT. It fails
// with a clear message when nothing was uploaded, so a missing model shows up as a failed start.

@export()
@description('Pinned Azure CLI image that runs the pull.')
var modelPullImage = 'mcr.microsoft.com/azure-cli:2.67.0'

@export()
@description('Command of the init container (model source "blob") and of the NFS sync job.')
var modelPullCommand = [
  '/bin/bash'
  '-c'
  join(
    [
      'set -euo pipefail'
      'if [ -z "$FLUX_MODEL_NAME" ]; then echo "no model name: azd env set FLUX_MODEL_NAME <folder under flux-models>, then azd provision" >&2; exit 1; fi'
      'az login --identity --username "$AZURE_CLIENT_ID" --allow-no-subscriptions --output none'
      'az storage blob download-batch --auth-mode login --account-name "$FLUX_STORAGE_ACCOUNT" --source flux-models --pattern "$FLUX_MODEL_NAME/*" --destination "$FLUX_MODEL_ROOT" --overwrite true --output none'
      'if [ -z "$(ls -A "$FLUX_MODEL_ROOT/$FLUX_MODEL_NAME" 2>/dev/null)" ]; then echo "no model files under flux-models/$FLUX_MODEL_NAME/ in storage account $FLUX_STORAGE_ACCOUNT; upload a model package first (docs/deploy.md)" >&2; exit 1; fi'
      'echo "model $FLUX_MODEL_NAME ready in $FLUX_MODEL_ROOT"'
    ],
    '\n'
  )
]

@export()
@description('Environment of the pull command.')
func modelPullEnv(clientId string, storageAccountName string, modelName string, modelRoot string) object[] => [
  {
    name: 'AZURE_CLIENT_ID'
    value: clientId
  }
  {
    name: 'FLUX_STORAGE_ACCOUNT'
    value: storageAccountName
  }
  {
    name: 'FLUX_MODEL_NAME'
    value: modelName
  }
  {
    name: 'FLUX_MODEL_ROOT'
    value: modelRoot
  }
]
