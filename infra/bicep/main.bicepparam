// Deployment values, read from the environment of the shell that runs `az deployment group create`
// (docs/deploy.md). Required values have no default, so a missing one stops the deployment before it starts.
using './main.bicep'

param namePrefix = readEnvironmentVariable('COMX_NAME_PREFIX', 'comx')
param environmentName = readEnvironmentVariable('COMX_ENVIRONMENT', 'prod')

param clerkIssuer = readEnvironmentVariable('COMX_CLERK_ISSUER')
param clerkJwksUrl = readEnvironmentVariable('COMX_CLERK_JWKS_URL', '')
param clerkJwtPublicKey = readEnvironmentVariable('COMX_CLERK_JWT_PUBLIC_KEY', '')
param clerkAuthorizedParties = readEnvironmentVariable('COMX_CLERK_AUTHORIZED_PARTIES', '')
param stripePricePlans = readEnvironmentVariable('COMX_STRIPE_PRICE_PLANS')

param aiEndpoint = readEnvironmentVariable('COMX_AI_ENDPOINT', '')
param aiModel = readEnvironmentVariable('COMX_AI_MODEL', '')
param aiFallbackToExtractive = bool(readEnvironmentVariable('COMX_AI_FALLBACK_TO_EXTRACTIVE', 'false'))
