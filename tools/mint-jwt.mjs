// Mints JWTs with the jose library, shaped like Clerk session tokens.
// Usage: node tools/mint-jwt.mjs '<json array of specs>'
// A spec is {"alg":"RS256","key":<PKCS#8 PEM string or private JWK object>,"header":{…},"payload":{…}},
// {"alg":"HS256","secret":"<text used as the raw HMAC key>","header":{…},"payload":{…}}, or
// {"alg":"none","payload":{…}}. Prints a JSON array of compact tokens, in the same order.
import { SignJWT, UnsecuredJWT, importJWK, importPKCS8 } from "jose";

const specs = JSON.parse(process.argv[2] ?? "[]");
const tokens = [];
for (const spec of specs) {
  const header = { ...(spec.header ?? {}), alg: spec.alg };
  if (spec.alg === "none") {
    tokens.push(new UnsecuredJWT(spec.payload).encode());
  } else if (spec.alg === "HS256") {
    tokens.push(await new SignJWT(spec.payload).setProtectedHeader(header).sign(new TextEncoder().encode(spec.secret)));
  } else {
    const key = typeof spec.key === "string" ? await importPKCS8(spec.key, spec.alg) : await importJWK(spec.key, spec.alg);
    tokens.push(await new SignJWT(spec.payload).setProtectedHeader(header).sign(key));
  }
}
process.stdout.write(JSON.stringify(tokens));
