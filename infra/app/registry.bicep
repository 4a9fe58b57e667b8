// Container registry the image is pushed to by `azd deploy` and pulled from by the app's managed
// identity (AcrPull). The admin user stays disabled: no registry passwords exist anywhere.

param name string
param location string
param tags object

@description('Premium enables artifact streaming, which shortens GPU cold starts for large images.')
@allowed([
  'Basic'
  'Standard'
  'Premium'
])
param sku string = 'Standard'

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: sku
  }
  properties: {
    adminUserEnabled: false
    publicNetworkAccess: 'Enabled'
  }
}

output id string = registry.id
output name string = registry.name
output loginServer string = registry.properties.loginServer
