// A comxbot webhook receiver that verifies X-Comx-Signature exactly as docs/webhooks.md tells receivers to:
// HMAC-SHA256 of the raw body bytes, keyed with the signing secret, as lowercase hex.
//
// Usage: node tools/verify-webhook.mjs
//   Listens on 127.0.0.1 and a free port and prints "listening <port>". Reads the signing secret (whsec_…) from the
//   first line of stdin. Answers the first POST 200 when its signature verifies (401 when not), prints one JSON line
//   {valid, id, event, delivery, timestamp} and exits. The tests use it to check real deliveries.
import crypto from "node:crypto";
import http from "node:http";
import { createInterface } from "node:readline";

const lines = createInterface({ input: process.stdin });
const secretReady = new Promise((resolve) => lines.once("line", (line) => resolve(line.trim())));

function verify(secret, rawBody, signature) {
  const expected = crypto.createHmac('sha256', secret).update(rawBody).digest('hex');
  const given = Buffer.from(String(signature ?? ""), "utf8");
  const wanted = Buffer.from(expected, "utf8");
  return given.length === wanted.length && crypto.timingSafeEqual(given, wanted);
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", async () => {
    const rawBody = Buffer.concat(chunks); // the exact bytes: verify before any JSON parsing
    const secret = await secretReady;
    const valid = verify(secret, rawBody, req.headers["x-comx-signature"]);
    let id = null;
    if (valid) {
      id = JSON.parse(rawBody.toString("utf8")).id;
    }

    res.writeHead(valid ? 200 : 401, { "content-type": "text/plain" });
    res.end(valid ? "ok" : "bad signature", () => {
      process.stdout.write(JSON.stringify({
        valid,
        id,
        event: req.headers["x-comx-event"] ?? null,
        delivery: req.headers["x-comx-delivery"] ?? null,
        timestamp: req.headers["x-comx-timestamp"] ?? null,
      }) + "\n");
      server.close();
      lines.close();
      process.exit(0);
    });
  });
});

server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
