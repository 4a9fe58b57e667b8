// Virtual network for the Container Apps environment, needed only when model files come from an
// NFS Azure Files share (NFS authorizes by network, not by key, so the share must be reachable
// only from this subnet). Serverless GPU replicas take one subnet IP each.

param name string
param location string
param tags object

@description('Address space of the virtual network.')
param addressPrefix string = '10.40.0.0/16'

@description('Subnet of the Container Apps environment (workload profiles need at least a /27).')
param environmentSubnetPrefix string = '10.40.0.0/23'

var environmentSubnetName = 'snet-container-apps'

resource vnet 'Microsoft.Network/virtualNetworks@2024-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    addressSpace: {
      addressPrefixes: [
        addressPrefix
      ]
    }
    subnets: [
      {
        name: environmentSubnetName
        properties: {
          addressPrefix: environmentSubnetPrefix
          delegations: [
            {
              name: 'container-apps'
              properties: {
                serviceName: 'Microsoft.App/environments'
              }
            }
          ]
          // Keeps NFS traffic to the file share on the Azure backbone and lets the share's
          // firewall admit this subnet only.
          serviceEndpoints: [
            {
              service: 'Microsoft.Storage'
            }
          ]
        }
      }
    ]
  }
}

output environmentSubnetId string = resourceId('Microsoft.Network/virtualNetworks/subnets', vnet.name, environmentSubnetName)
