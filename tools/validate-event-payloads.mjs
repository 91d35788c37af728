// Validates event delivery bodies against the schemas the OpenAPI document publishes for them (JSON Schema 2020-12,
// Ajv). Arguments: the OpenAPI document's path and a file holding a JSON array of delivery bodies. For each body, the
// document's webhooks entry for its type (the envelope, whose data refers to components/schemas) must accept it.
// Prints one line per body; exit code 0 only when every body is valid and has a published schema.
import { readFileSync } from "node:fs";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const document = JSON.parse(readFileSync(process.argv[2], "utf8"));
const bodies = JSON.parse(readFileSync(process.argv[3], "utf8"));
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: "openapi", components: document.components }, "openapi");

let failed = 0;
for (const body of bodies) {
  const envelope = document.webhooks?.[body.type]?.post?.requestBody?.content?.["application/json"]?.schema;
  if (!envelope) {
    console.log(`${body.type}: no published schema`);
    failed++;
    continue;
  }
  const schema = JSON.parse(JSON.stringify(envelope).replaceAll('"#/components/', '"openapi#/components/'));
  const validate = ajv.compile(schema);
  if (validate(body)) {
    console.log(`${body.type}: valid`);
  } else {
    console.log(`${body.type}: INVALID ${JSON.stringify(validate.errors)}`);
    failed++;
  }
}
process.exit(failed === 0 ? 0 : 1);
