// The one identity the app runs as: pulls the image, reaches storage, publishes telemetry.
// A user-assigned identity exists before the container app does, so its role assignments are
// in place before the first revision starts (a system-assigned one would race its own roles).

param name string
param location string
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId
