// Signs a webhook body with the official svix library, as Clerk's sender would.
// Usage: node tools/sign-svix.mjs <secret whsec_…> <msg id> <unix seconds> <body as base64>
// Prints the svix-signature header value ("v1,<base64>").
import { Webhook } from "svix";

const [secret, msgId, timestamp, bodyBase64] = process.argv.slice(2);
if (!secret || !msgId || !timestamp || bodyBase64 === undefined) {
  console.error("usage: sign-svix.mjs <secret> <msg id> <unix seconds> <body base64>");
  process.exit(2);
}

const body = Buffer.from(bodyBase64, "base64").toString("utf8");
process.stdout.write(new Webhook(secret).sign(msgId, new Date(Number(timestamp) * 1000), body));
