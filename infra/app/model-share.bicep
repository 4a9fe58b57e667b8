// Premium FileStorage account with an NFS 4.1 share for model files (model source 'nfs').
// NFS has no account keys: access is granted to the environment's subnet by the firewall, so the
// Container Apps environment mounts the share without any secret. Shared-key access stays off.

param name string
param location string
param tags object

@description('Subnet allowed to mount the share (the Container Apps environment subnet).')
param allowedSubnetId string

@description('Share size in GiB; premium shares bill provisioned size, and throughput grows with it.')
@minValue(100)
param quotaGiB int = 256

var shareName = 'flux-models'

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'FileStorage'
  sku: {
    name: 'Premium_LRS'
  }
  properties: {
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    minimumTlsVersion: 'TLS1_2'
    // NFS 4.1 does not use the HTTPS/SMB transport this flag enforces; the share is reachable
    // only from the environment subnet below.
    supportsHttpsTrafficOnly: false
    networkAcls: {
      defaultAction: 'Deny'
      bypass: 'None'
      virtualNetworkRules: [
        {
          id: allowedSubnetId
          action: 'Allow'
        }
      ]
    }
  }
}

resource fileService 'Microsoft.Storage/storageAccounts/fileServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource share 'Microsoft.Storage/storageAccounts/fileServices/shares@2023-05-01' = {
  parent: fileService
  name: shareName
  properties: {
    enabledProtocols: 'NFS'
    rootSquash: 'NoRootSquash'
    shareQuota: quotaGiB
  }
}

output accountName string = account.name
output shareName string = share.name
// Container Apps expects the NFS server host and the share as '/<account>/<share>'.
output nfsServer string = '${account.name}.file.${environment().suffixes.storage}'
output nfsShareName string = '/${account.name}/${share.name}'
