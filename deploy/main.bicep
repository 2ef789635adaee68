// Valtuusbotti in Azure: one resource group holding the bot's container app and its migration job, PostgreSQL
// (the register), Redis (ephemeral state), Key Vault (every secret), Log Analytics, a user-assigned managed identity
// and the Azure Bot with its Teams channel. See docs/deploy.md for the steps around it (Entra app, database roles,
// Graph permissions, Teams admin).
//
//   az deployment group create -g <rg> -f deploy/main.bicep -p deploy/main.parameters.json
targetScope = 'resourceGroup'

@description('Short name used in every resource name, e.g. valtuus-porvoo.')
@minLength(3)
@maxLength(20)
param name string

param location string = resourceGroup().location

@description('The container image, e.g. <registry>.azurecr.io/valtuusbotti:1.0.0 (built from the repository\'s Dockerfile).')
param image string

@description('The city\'s Entra tenant id.')
param tenantId string = subscription().tenantId

@description('The Teams app\'s id in the organisation\'s app catalog (Teams admin center), so the bot can install itself for people it must message. Empty: people must open the bot once.')
param teamsCatalogAppId string = ''

@description('Public host of the dashboard tab: the container app\'s FQDN or the city\'s custom domain for it. Empty: no tab.')
param tabHost string = ''

@description('Client id of the tab\'s own app registration for Teams SSO (docs/deploy.md, section 8): the bot\'s managed identity cannot expose an API. Empty: no SSO for the tab.')
param tabAppId string = ''

@description('Entra object id of the group or person administering PostgreSQL (Entra authentication).')
param postgresAdminObjectId string

@description('Display name of that administrator.')
param postgresAdminName string

@secure()
@description('Password of the schema owner role (valtuus_owner) that the migration job uses; kept in Key Vault.')
param ownerPassword string

@secure()
@description('Password of the data-only role (valtuus_app) the service runs as; kept in Key Vault.')
param appPassword string

var suffix = uniqueString(resourceGroup().id, name)
var dbName = 'valtuusbotti'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${name}-id'
  location: location
}

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: '${name}-logs'
  location: location
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: 90
  }
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: take('${name}-kv-${suffix}', 24)
  location: location
  properties: {
    tenantId: tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    enablePurgeProtection: true
  }
}

// Key Vault Secrets User for the identity the container app and the job run as.
resource vaultReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, identity.id, 'secrets-user')
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '4633458b-17de-408a-b874-0445c86b69e6')
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource postgres 'Microsoft.DBforPostgreSQL/flexibleServers@2023-12-01-preview' = {
  name: '${name}-pg-${suffix}'
  location: location
  sku: { name: 'Standard_B1ms', tier: 'Burstable' }
  properties: {
    version: '16'
    storage: { storageSizeGB: 32 }
    backup: { backupRetentionDays: 35, geoRedundantBackup: 'Disabled' }
    authConfig: { activeDirectoryAuth: 'Enabled', passwordAuth: 'Enabled', tenantId: tenantId }
    highAvailability: { mode: 'Disabled' }
  }
}

resource pgAdmin 'Microsoft.DBforPostgreSQL/flexibleServers/administrators@2023-12-01-preview' = {
  parent: postgres
  name: postgresAdminObjectId
  properties: {
    principalName: postgresAdminName
    principalType: 'Group'
    tenantId: tenantId
  }
}

resource database 'Microsoft.DBforPostgreSQL/flexibleServers/databases@2023-12-01-preview' = {
  parent: postgres
  name: dbName
  properties: { charset: 'UTF8', collation: 'en_US.utf8' }
}

// Azure services (the container apps) may connect; tighten with a VNet in a hardened landing zone.
resource pgAzure 'Microsoft.DBforPostgreSQL/flexibleServers/firewallRules@2023-12-01-preview' = {
  parent: postgres
  name: 'AllowAzureServices'
  properties: { startIpAddress: '0.0.0.0', endIpAddress: '0.0.0.0' }
}

resource redis 'Microsoft.Cache/redis@2024-03-01' = {
  name: '${name}-redis-${suffix}'
  location: location
  properties: {
    sku: { name: 'Standard', family: 'C', capacity: 0 }
    enableNonSslPort: false
    minimumTlsVersion: '1.2'
  }
}

var pgHost = postgres.properties.fullyQualifiedDomainName

resource ownerUrl 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'database-owner-url'
  properties: { value: 'postgres://valtuus_owner:${ownerPassword}@${pgHost}:5432/${dbName}?sslmode=require' }
}

resource appUrl 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'database-url'
  properties: { value: 'postgres://valtuus_app:${appPassword}@${pgHost}:5432/${dbName}?sslmode=require' }
}

resource redisUrl 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'redis-url'
  properties: { value: 'rediss://:${redis.listKeys().primaryKey}@${redis.properties.hostName}:6380/0' }
}

resource env 'Microsoft.App/managedEnvironments@2024-03-01' = {
  name: '${name}-env'
  location: location
  properties: {
    appLogsConfiguration: {
      destination: 'log-analytics'
      logAnalyticsConfiguration: {
        customerId: logs.properties.customerId
        sharedKey: logs.listKeys().primarySharedKey
      }
    }
  }
}

// The settings the service and the migration job share (README, Configuration).
var common = [
  { name: 'VALTUUS_LISTEN_ADDR', value: '0.0.0.0:3978' }
  // The bot's identity is the user-assigned managed identity (Azure Bot type UserAssignedMSI): no secret anywhere.
  { name: 'VALTUUS_BOT_APP_ID', value: identity.properties.clientId }
  { name: 'VALTUUS_BOT_TENANT_ID', value: tenantId }
  { name: 'VALTUUS_CREDENTIAL', value: 'managed_identity' }
  { name: 'VALTUUS_MANAGED_IDENTITY_CLIENT_ID', value: identity.properties.clientId }
  { name: 'VALTUUS_DIRECTORY', value: 'graph' }
  { name: 'VALTUUS_TEAMS_CATALOG_APP_ID', value: teamsCatalogAppId }
  { name: 'VALTUUS_TAB_HOST', value: tabHost }
  { name: 'VALTUUS_TAB_APP_ID', value: tabAppId }
  { name: 'VALTUUS_LOG_FORMAT', value: 'json' }
]

var secretRef = (secretName, s) => {
  name: secretName
  keyVaultUrl: s
  identity: identity.id
}

resource app 'Microsoft.App/containerApps@2024-03-01' = {
  name: '${name}-app'
  location: location
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identity.id}': {} }
  }
  dependsOn: [ vaultReader, migrate ]
  properties: {
    managedEnvironmentId: env.id
    configuration: {
      ingress: {
        external: true
        targetPort: 3978
        transport: 'http'
        allowInsecure: false
      }
      secrets: [
        secretRef('database-url', appUrl.properties.secretUri)
        secretRef('redis-url', redisUrl.properties.secretUri)
      ]
    }
    template: {
      containers: [
        {
          name: 'valtuusbotti'
          image: image
          args: [ 'serve' ]
          resources: { cpu: json('0.5'), memory: '1Gi' }
          env: concat(common, [
            { name: 'VALTUUS_DATABASE_URL', secretRef: 'database-url' }
            { name: 'VALTUUS_REDIS_URL', secretRef: 'redis-url' }
            // The service runs as the data-only role: it only checks the schema (the job migrates).
            { name: 'VALTUUS_MIGRATE', value: 'false' }
          ])
          probes: [
            { type: 'Liveness', httpGet: { path: '/healthz', port: 3978 }, periodSeconds: 10 }
            { type: 'Readiness', httpGet: { path: '/readyz', port: 3978 }, periodSeconds: 10, failureThreshold: 3 }
            { type: 'Startup', httpGet: { path: '/healthz', port: 3978 }, periodSeconds: 2, failureThreshold: 30 }
          ]
        }
      ]
      scale: { minReplicas: 2, maxReplicas: 4 }
    }
  }
}

// The migration job: run it (az containerapp job start) before each release; it applies the migrations as the
// schema owner, while the service keeps running as the data-only role.
resource migrate 'Microsoft.App/jobs@2024-03-01' = {
  name: '${name}-migrate'
  location: location
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identity.id}': {} }
  }
  dependsOn: [ vaultReader ]
  properties: {
    environmentId: env.id
    configuration: {
      triggerType: 'Manual'
      replicaTimeout: 600
      replicaRetryLimit: 1
      manualTriggerConfig: { parallelism: 1, replicaCompletionCount: 1 }
      secrets: [ secretRef('database-owner-url', ownerUrl.properties.secretUri) ]
    }
    template: {
      containers: [
        {
          name: 'migrate'
          image: image
          args: [ 'migrate' ]
          resources: { cpu: json('0.25'), memory: '0.5Gi' }
          env: [ { name: 'VALTUUS_DATABASE_URL', secretRef: 'database-owner-url' } ]
        }
      ]
    }
  }
}

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: '${name}-bot'
  location: 'global'
  kind: 'azurebot'
  sku: { name: 'S1' }
  properties: {
    displayName: 'Valtuusbotti'
    endpoint: 'https://${app.properties.configuration.ingress.fqdn}/api/messages'
    msaAppId: identity.properties.clientId
    msaAppType: 'UserAssignedMSI'
    msaAppTenantId: tenantId
    msaAppMSIResourceId: identity.id
  }
}

resource teams 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
    properties: { isEnabled: true }
  }
}

output endpoint string = bot.properties.endpoint
output botAppId string = identity.properties.clientId // the Teams app package's bot id (valtuusbotti manifest -app-id)
output postgresHost string = pgHost
