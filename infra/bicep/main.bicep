metadata description = 'comxbot backend: Flex Consumption function app (.NET 10 isolated), identity-based storage, Key Vault, Application Insights.'

targetScope = 'resourceGroup'

// ---------- naming and placement

@description('Product prefix that starts every resource name: 2-8 lower-case letters or digits.')
@minLength(2)
@maxLength(8)
param namePrefix string = 'comx'

@description('Environment name: 2-6 lower-case letters or digits (dev, test, prod).')
@minLength(2)
@maxLength(6)
param environmentName string

@description('Azure region for every resource; it must offer Flex Consumption.')
param location string = resourceGroup().location

@description('Extra tags for every resource (application and environment are always added).')
param tags { *: string } = {}

// ---------- capacity

@description('Upper bound of instances the app scales out to (40-1000).')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Memory per instance in MB (512, 2048 or 4096).')
@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

@description('Storage replication.')
@allowed(['Standard_LRS', 'Standard_ZRS'])
param storageSku string = 'Standard_LRS'

@description('Days Log Analytics keeps data.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

@description('Key Vault purge protection (cannot be turned off once on).')
param keyVaultPurgeProtection bool = true

// ---------- app configuration (Comx.Core/ConfigurationKeys.cs). Secrets are not parameters: they live in Key Vault.

@description('Comx__Clerk__Issuer: expected iss of Clerk session JWTs (the Clerk Frontend API URL).')
@minLength(1)
param clerkIssuer string

@description('Comx__Clerk__JwksUrl: Clerk JWKS URL; used when no PEM key is given.')
param clerkJwksUrl string = ''

@description('Comx__Clerk__JwtPublicKey: PEM public key for session JWTs (networkless verification); empty to use the JWKS URL.')
param clerkJwtPublicKey string = ''

@description('Comx__Clerk__AuthorizedParties: comma-separated allowed azp values; empty means not checked.')
param clerkAuthorizedParties string = ''

@description('Comx__Stripe__PricePlans: price_...=pro,price_...=school.')
@minLength(1)
param stripePricePlans string

@description('Comx__Ai__Endpoint: OpenAI-compatible endpoint; empty means extractive answers (and no AI key is read).')
param aiEndpoint string = ''

@description('Comx__Ai__Model: model or deployment name.')
param aiModel string = ''

@description('Comx__Ai__FallbackToExtractive: answer extractively when the model is unavailable instead of 503.')
param aiFallbackToExtractive bool = false

@description('Comx__Smtp__Host: SMTP server for e-mail notifications (Azure Communication Services, Microsoft 365, …); empty means notifications are recorded but not sent.')
param smtpHost string = ''

@description('Comx__Smtp__Port: SMTP port (587 STARTTLS, 465 implicit TLS).')
param smtpPort int = 587

@description('Comx__Smtp__Username: SMTP user name (the password is Key Vault secret smtp-password).')
param smtpUsername string = ''

@description('Comx__Smtp__From: sender address of notification e-mails.')
param smtpFrom string = ''
@description('Comx__Ai__EmbeddingModel: embedding model on the AI endpoint; empty means the local all-MiniLM-L6-v2 in process.')
param aiEmbeddingModel string = ''

@description('Comx__Network__ForwardedHops: trusted proxies appending to X-Forwarded-For (Azure front end: 1).')
@minValue(0)
@maxValue(5)
param forwardedHops int = 1

// ---------- names

@description('Short, stable, per-resource-group suffix that makes global names unique.')
var suffix = take(uniqueString(subscription().id, resourceGroup().id, namePrefix, environmentName), 6)

@description('Resource names: <kind>-<prefix>-<environment>[-<suffix>]; storage and Key Vault drop the hyphens.')
var names = {
  functionApp: 'func-${namePrefix}-${environmentName}-${suffix}'
  plan: 'plan-${namePrefix}-${environmentName}'
  identity: 'id-${namePrefix}-${environmentName}'
  storage: toLower('st${namePrefix}${environmentName}${suffix}')
  keyVault: toLower('kv${namePrefix}${environmentName}${suffix}')
  workspace: 'log-${namePrefix}-${environmentName}'
  appInsights: 'appi-${namePrefix}-${environmentName}'
}

@description('Tags on every resource.')
var allTags = union(tags, {
  application: namePrefix
  environment: environmentName
})

// ---------- storage names: must equal Comx.Core/Storage/StorageNames.cs (Comx.Tests/Infra checks it)

@description('Every table in StorageNames.Tables.All.')
var storageTables = [
  'ratelimits'
  'idempotency'
  'orgs'
  'members'
  'users'
  'apikeys'
  'inboundevents'
  'widgets'
  'sources'
  'ingestjobs'
  'chunks'
  'chatsessions'
  'conversations'
  'answers'
  'events'
  'orgsettings'
  'learners'
  'templates'
  'actions'
  'hooks'
  'deliveries'
  'thinkguide'
  'usage'
  'retrievalindex'
  'dataprotection'
  'insights'
]

@description('Every queue in StorageNames.Queues.All and the poison queue the queue trigger moves failed messages to.')
var storageQueues = [
  'ingest-jobs'
  'ingest-jobs-poison'
  'webhook-deliveries'
  'webhook-deliveries-poison'
  'learner-erasures'
  'learner-erasures-poison'
]

@description('Every blob container in StorageNames.Containers.All.')
var storageContainers = [
  'retrieval-index'
  'source-content'
  'source-files'
]

@description('Key Vault secret names read through Key Vault references (README.md ("Deploy") sets them).')
var secretNames = {
  clerkWebhookSecret: 'clerk-webhook-secret'
  stripeWebhookSecret: 'stripe-webhook-secret'
  aiApiKey: 'ai-api-key'
  smtpPassword: 'smtp-password'
}

// ---------- resources

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: names.identity
  location: location
  tags: allTags
}

module storage 'modules/storage.bicep' = {
  params: {
    name: names.storage
    location: location
    tags: allTags
    skuName: storageSku
    tableNames: storageTables
    queueNames: storageQueues
    containerNames: storageContainers
    deploymentContainerName: 'app-package'
    identityId: identity.id
    identityPrincipalId: identity.properties.principalId
  }
}

module monitoring 'modules/monitoring.bicep' = {
  params: {
    workspaceName: names.workspace
    appInsightsName: names.appInsights
    location: location
    tags: allTags
    retentionInDays: logRetentionInDays
    identityId: identity.id
    identityPrincipalId: identity.properties.principalId
  }
}

module keyVault 'modules/keyvault.bicep' = {
  params: {
    name: names.keyVault
    location: location
    tags: allTags
    purgeProtection: keyVaultPurgeProtection
    identityId: identity.id
    identityPrincipalId: identity.properties.principalId
  }
}

module functionApp 'modules/functionapp.bicep' = {
  params: {
    name: names.functionApp
    planName: names.plan
    location: location
    tags: allTags
    identityId: identity.id
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    // Every setting the app reads (Comx.Tests/Infra checks this list against Comx.Core.ConfigurationKeys.All).
    appSettings: {
      // Host and app storage, identity-based: no connection string, no account key.
      AzureWebJobsStorage__accountName: storage.outputs.name
      AzureWebJobsStorage__credential: 'managedidentity'
      AzureWebJobsStorage__clientId: identity.properties.clientId
      // The host's own landing page would answer paths outside /api (and HEAD /) instead of a plain 404.
      AzureWebJobsDisableHomepage: 'true'
      APPLICATIONINSIGHTS_CONNECTION_STRING: monitoring.outputs.connectionString
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.properties.clientId};Authorization=AAD'
      Comx__Clerk__WebhookSecret: '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.uri}secrets/${secretNames.clerkWebhookSecret})'
      Comx__Clerk__JwtPublicKey: clerkJwtPublicKey
      Comx__Clerk__JwksUrl: clerkJwksUrl
      Comx__Clerk__Issuer: clerkIssuer
      Comx__Clerk__AuthorizedParties: clerkAuthorizedParties
      Comx__Stripe__WebhookSecret: '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.uri}secrets/${secretNames.stripeWebhookSecret})'
      Comx__Stripe__PricePlans: stripePricePlans
      Comx__Ai__Endpoint: aiEndpoint
      // Only referenced when an endpoint is configured: an unresolvable reference would be read as a key.
      Comx__Ai__ApiKey: empty(aiEndpoint)
        ? ''
        : '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.uri}secrets/${secretNames.aiApiKey})'
      Comx__Ai__Model: aiModel
      Comx__Ai__FallbackToExtractive: aiFallbackToExtractive ? 'true' : 'false'
      Comx__Ai__EmbeddingModel: aiEmbeddingModel
      // Never true in Azure: private and loopback targets stay refused.
      Comx__Network__AllowPrivateTargets: 'false'
      Comx__Network__ForwardedHops: string(forwardedHops)
      Comx__Smtp__Host: smtpHost
      Comx__Smtp__Port: string(smtpPort)
      Comx__Smtp__Username: smtpUsername
      // Only referenced when a host is configured, like the AI key.
      Comx__Smtp__Password: empty(smtpHost)
        ? ''
        : '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.uri}secrets/${secretNames.smtpPassword})'
      Comx__Smtp__From: smtpFrom
      Comx__Smtp__UseTls: 'true'
    }
  }
}

// ---------- outputs

@description('Function app name.')
output functionAppName string = functionApp.outputs.name

@description('Base URL of the app; the API is under /api.')
output functionAppUrl string = 'https://${functionApp.outputs.defaultHostName}'

@description('Endpoint URL to register in Clerk (Webhooks).')
output clerkWebhookUrl string = 'https://${functionApp.outputs.defaultHostName}/api/webhooks/clerk'

@description('Endpoint URL to register in Stripe (Webhooks).')
output stripeWebhookUrl string = 'https://${functionApp.outputs.defaultHostName}/api/webhooks/stripe'

@description('Storage account name.')
output storageAccountName string = storage.outputs.name

@description('Key Vault name.')
output keyVaultName string = keyVault.outputs.name

@description('Key Vault secret names the app reads.')
output keyVaultSecretNames { clerkWebhookSecret: string, stripeWebhookSecret: string, aiApiKey: string, smtpPassword: string } = secretNames

@description('Application Insights name.')
output appInsightsName string = monitoring.outputs.appInsightsName

@description('Client ID of the app identity.')
output identityClientId string = identity.properties.clientId
