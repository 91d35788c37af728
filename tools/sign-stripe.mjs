// Signs a webhook body with the official stripe library (webhooks.generateTestHeaderString), as Stripe would.
// Usage: node tools/sign-stripe.mjs <secret whsec_…> <unix seconds> <body as base64>
// Prints the Stripe-Signature header value ("t=…,v1=…").
import Stripe from "stripe";

const [secret, timestamp, bodyBase64] = process.argv.slice(2);
if (!secret || !timestamp || bodyBase64 === undefined) {
  console.error("usage: sign-stripe.mjs <secret> <unix seconds> <body base64>");
  process.exit(2);
}

// No network call is made: the client is only the holder of the webhook helpers.
const stripe = new Stripe("sk_test_offline");
const payload = Buffer.from(bodyBase64, "base64").toString("utf8");
process.stdout.write(stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: Number(timestamp) }));
